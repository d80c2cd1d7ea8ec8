/** Puts a lab server on its address, and takes it down with every connection it still holds. */
import type { Server } from 'node:http';

export interface Served {
  close(): Promise<void>;
}

export async function serve(server: Server, address: string, port: number): Promise<Served> {
  await new Promise<void>((resolve) => server.listen(port, address, resolve));
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
