"""Operations: health, metrics, rate limit, HTTP caching, security headers, errors."""
