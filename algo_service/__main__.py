"""`python -m algo_service`: the API under gunicorn (gthread workers) on the configured port."""
from algo_service.server import main

main()
