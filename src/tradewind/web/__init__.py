"""The dashboard face: server-rendered Jinja2 pages with HTMX for in-place changes, charts drawn by Chart.js, text
in English and Chinese. Every page reads through the same domain services (and the server's cached figures,
`tradewind.server`) as the API, its sibling: neither face imports the other."""
