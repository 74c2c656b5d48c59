import { createTestAuth } from "../shared/test-auth.ts";

/**
 * The key this test file's servers trust (startTestServer and startServerProcess pass its
 * AUTH_* variables unless told otherwise) and tokens signed with it; `bearer` holds every scope.
 */
export const testAuth = await createTestAuth();
