"""Server-rendered pages: the operator dashboard and the participants' status page (id/en)."""
