/// <reference types="vite/client" />
// The /docs page: Swagger UI (swagger-ui-dist, prebuilt) over /openapi.json. Its files
// are copied into the build as they are (?url), not bundled.
import bundleUrl from "swagger-ui-dist/swagger-ui-bundle.js?url";
import cssUrl from "swagger-ui-dist/swagger-ui.css?url";

interface SwaggerUi {
  preauthorizeApiKey(scheme: string, value: string): void;
}
type SwaggerUiBundle = (options: Record<string, unknown>) => SwaggerUi;

const style = document.createElement("link");
style.rel = "stylesheet";
style.href = cssUrl;
document.head.append(style);

const script = document.createElement("script");
script.src = bundleUrl;
script.addEventListener("load", () => {
  const SwaggerUIBundle = (window as unknown as { SwaggerUIBundle: SwaggerUiBundle }).SwaggerUIBundle;
  const ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    onComplete() {
      // The token pasted on the main page (same origin, this tab) is used here too.
      const token = sessionStorage.getItem("api-token");
      if (token) ui.preauthorizeApiKey("bearer", token);
    },
  });
});
document.body.append(script);
