"""What a production install runs: the gunicorn configuration that `alongside serve` loads."""
