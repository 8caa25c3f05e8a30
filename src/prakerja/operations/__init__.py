"""Work that spans domains: applying the time-based rules when the business day moves."""
