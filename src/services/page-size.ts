/** ListUsers page size when the request leaves page_size at 0. */
export const defaultPageSize = 50;

/** page_size 0 means the default; the proto's rules bound it to 0..100. */
export function resolvePageSize(pageSize: number): number {
  return pageSize === 0 ? defaultPageSize : pageSize;
}
