/* Starts the vendored Swagger UI for /api/docs.  A static file: the Content-Security-Policy allows
   no inline script.  The settings come from a JSON block; the CSRF token from the body's data. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  var token = document.body.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  config.layout = "BaseLayout";
  config.validatorUrl = null; // never ask validator.swagger.io (LGWAN: nothing leaves the network)
  config.requestInterceptor = function (request) {
    if (token) {
      request.headers["X-CSRFToken"] = token;
    }
    return request;
  };
  window.ui = SwaggerUIBundle(config);
})();
