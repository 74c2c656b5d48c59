// What a browser app calling one RPC of one service ships (measured by scripts/client-size).
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { UserService } from "../../src/gen/client/acme/user/v1/user_pb.ts";

const users = createClient(UserService, createConnectTransport({ baseUrl: "https://api.example.com" }));
users.getUser({ id: "3f0c9e4e-0000-4000-8000-000000000000" }).then((res) => console.log(res.user?.email));
