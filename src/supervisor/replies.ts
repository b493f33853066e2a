export type Replies<Body> = Readonly<{
  /** Keep a request's way back; the id it gets is what the reducer's `reply` names. */
  add: (respond: (body: Body) => void) => number;
  send: (id: number, body: Body) => void;
}>;

/** Control requests waiting for their reply, by id: each is answered once. */
export function createReplies<Body>(): Replies<Body> {
  const pending = new Map<number, (body: Body) => void>();
  let nextId = 1;
  return {
    add: (respond) => {
      const id = nextId++;
      pending.set(id, respond);
      return id;
    },
    send: (id, body) => {
      pending.get(id)?.(body);
      pending.delete(id);
    },
  };
}
