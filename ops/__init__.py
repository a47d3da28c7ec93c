"""Running the assistant as a service: the production profile (`APP_ENV=production`) and its settings
and secret checks (`profile`), structured logs without personal data (`logs`), Prometheus metrics
(`metrics`) and readiness checks (`health`). Standard library plus prometheus-client only, and
`logs` is standard library alone so the Rasa environment can use it too."""
