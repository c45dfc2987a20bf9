"""`python -m order_service`: the API under gunicorn (gthread workers) on the configured port."""
from order_service.server import main

main()
