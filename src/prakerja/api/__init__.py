"""The HTTP front door: partner APIs (FastAPI), with OpenAPI docs served offline."""
