// /docs: Swagger UI over this server's OpenAPI document (a file, so the page's CSP allows no inline script).
SwaggerUIBundle({url: "/openapi.json", dom_id: "#ui"});
