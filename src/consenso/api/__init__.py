"""HTTP: FastAPI routers, request/response models, auth. Translates HTTP to services and back."""
