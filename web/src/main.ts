import { type ApiProtocol, type User, createApiClient, fieldViolations } from "../../src/client/index.ts";
import { describeError } from "./describe-error.ts";

// The API is this page's own origin unless ?api=<origin> says otherwise (cross-origin use).
const apiBase = new URLSearchParams(location.search).get("api") ?? location.origin;
const pageSize = 5;
const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

// The pasted token lives in sessionStorage: this tab only, gone when it closes.
const tokenKey = "api-token";
const tokenInput = byId<HTMLInputElement>("token");
tokenInput.value = sessionStorage.getItem(tokenKey) ?? "";
function setToken(value: string) {
  const token = value.trim().replace(/^Bearer\s+/i, "");
  if (token) sessionStorage.setItem(tokenKey, token);
  else sessionStorage.removeItem(tokenKey);
  void showPage(0);
}
tokenInput.addEventListener("input", () => setToken(tokenInput.value));
byId("clear-token").addEventListener("click", () => {
  tokenInput.value = "";
  setToken("");
});

let protocol: ApiProtocol = "connect";
const api = () => createApiClient({ baseUrl: apiBase, protocol, token: () => sessionStorage.getItem(tokenKey) ?? undefined });
for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="protocol"]')) {
  radio.addEventListener("change", () => {
    protocol = radio.value as ApiProtocol;
    void showPage(0);
  });
}

function say(id: string, text: string, kind: "ok" | "error" | "" = "") {
  const element = byId(id);
  element.textContent = text;
  element.className = `message ${kind}`;
}

/** Puts each violation next to its input; clears the others. */
function showViolations(error: unknown, fields: Record<string, string>) {
  const violations = fieldViolations(error);
  for (const [field, elementId] of Object.entries(fields)) {
    byId(elementId).textContent = violations
      .filter((v) => v.field === field || v.field.endsWith(`.${field}`))
      .map((v) => v.message)
      .join("; ");
  }
}

// Users, paged: tokens of the pages seen so far, so Previous works too.
const pageTokens = [""];
let page = 0;

async function showPage(index: number) {
  try {
    const response = await api().users.listUsers({ pageSize, pageToken: pageTokens[index] ?? "" });
    page = index;
    pageTokens[index + 1] = response.nextPageToken;
    renderUsers(response.users);
    byId<HTMLButtonElement>("prev-page").disabled = index === 0;
    byId<HTMLButtonElement>("next-page").disabled = response.nextPageToken === "";
    say("users-message", `Page ${index + 1} (${protocol === "grpc-web" ? "gRPC-Web" : "Connect"})`);
  } catch (error) {
    say("users-message", describeError(error), "error");
  }
}

function renderUsers(users: User[]) {
  byId("users").replaceChildren(
    ...users.map((user) => {
      const row = document.createElement("tr");
      row.dataset.userId = user.id;
      for (const text of [
        user.email,
        user.displayName,
        user.createTime ? new Date(Number(user.createTime.seconds) * 1000).toLocaleString() : "",
      ]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    }),
  );
  byId("order-user").replaceChildren(
    ...users.map((user) => Object.assign(document.createElement("option"), { value: user.id, textContent: user.email })),
  );
}

byId("prev-page").addEventListener("click", () => void showPage(Math.max(0, page - 1)));
byId("next-page").addEventListener("click", () => void showPage(page + 1));

/** A form whose submit calls the API: success text, or the error explained with field violations at their inputs. */
function handleForm(formId: string, messageId: string, fields: Record<string, string>, submit: () => Promise<string>) {
  byId(formId).addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const done = await submit();
      showViolations(undefined, fields);
      say(messageId, done, "ok");
    } catch (error) {
      showViolations(error, fields);
      say(messageId, describeError(error), "error");
    }
  });
}

handleForm("create-user-form", "create-user-message", { email: "email-error", display_name: "display-name-error" }, async () => {
  const { user } = await api().users.createUser({
    email: byId<HTMLInputElement>("email").value,
    displayName: byId<HTMLInputElement>("display-name").value,
  });
  void showPage(page);
  return `Created ${user?.email}`;
});

byId("export").addEventListener("click", async () => {
  const list = byId("export-list");
  list.replaceChildren();
  try {
    for await (const { user } of api().users.exportUsers({})) {
      list.append(Object.assign(document.createElement("li"), { textContent: user?.email ?? "" }));
    }
    say("export-message", `Exported ${list.children.length} users`, "ok");
  } catch (error) {
    say("export-message", describeError(error), "error");
  }
});

handleForm("create-order-form", "order-message", { sku: "sku-error", quantity: "quantity-error" }, async () => {
  const { order } = await api().orders.createOrder({
    userId: byId<HTMLSelectElement>("order-user").value,
    items: [{ sku: byId<HTMLInputElement>("sku").value, quantity: Number(byId<HTMLInputElement>("quantity").value) }],
  });
  return `Order ${order?.id} created`;
});

void showPage(0);
