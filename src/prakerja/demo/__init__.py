"""The showcase: a synthetic program driven through the product the way operators drive it."""
