"""The integrator API (/api/v1/): one module per concern; complaints/api_urls.py
lists the endpoints."""
