"""The dashboard face: server-rendered Jinja2 pages with HTMX for in-place changes, charts drawn by Chart.js, text
in English and Chinese. Every page reads through the same services (and the API's read functions) as the API."""
