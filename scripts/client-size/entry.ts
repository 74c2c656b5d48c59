// What a browser app calling one RPC of one service with a bearer token ships
// (measured by scripts/client-size).
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { bearerToken } from "../../src/client/bearer-token.ts";
import { UserService } from "../../src/gen/client/acme/user/v1/user_pb.ts";

const transport = createConnectTransport({
  baseUrl: "https://api.example.com",
  interceptors: [bearerToken(() => sessionStorage.getItem("token") ?? undefined)],
});
const users = createClient(UserService, transport);
users.getUser({ id: "3f0c9e4e-0000-4000-8000-000000000000" }).then((res) => console.log(res.user?.email));
