// Market streams over the public WebSocket API (/stream?streams=a/b), reconnecting with a
// growing pause after a drop. `onMessage(stream, data)` gets each event; `onOpen` runs after
// every (re)connect, so a page can refetch the snapshots it keeps in sync.
//
// `onState(state)` tells a page whether data really flows, for its "Live" mark: an open
// socket is not proof (a proxy may hold it open and pass nothing), so "live" waits for the
// server's first answer. A quiet market sends nothing for a while, so after QUIET_MS of
// silence the socket is asked LIST_SUBSCRIPTIONS (the stream API's cheapest request); no
// answer within PROBE_TIMEOUT_MS means the connection is dead, and it is made again.
// States: "connecting", "live", "reconnecting".

const QUIET_MS = 20000;
const PROBE_TIMEOUT_MS = 10000;
const WATCH_EVERY_MS = 5000;

export function openStreams(names, onMessage, onOpen = () => {}, onState = () => {}) {
  let socket = null;
  let closed = false;
  let pause = 500;
  let state = null;
  let lastHeard = 0;
  let probeSentAt = 0;
  let probeId = 0;

  function setState(next) {
    if (next === state) return;
    state = next;
    onState(next);
  }

  function probe() {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    probeId += 1;
    probeSentAt = Date.now();
    socket.send(JSON.stringify({ method: "LIST_SUBSCRIPTIONS", id: probeId }));
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const current = new WebSocket(`${scheme}://${location.host}/stream?streams=${names.join("/")}`);
    socket = current;
    setState(state === null ? "connecting" : "reconnecting");
    current.addEventListener("open", () => {
      pause = 500;
      probe(); // the answer, or the first event, shows that data flows
      onOpen();
    });
    current.addEventListener("message", (event) => {
      lastHeard = Date.now();
      probeSentAt = 0;
      setState("live");
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return; // not the server's JSON: nothing a page can use
      }
      if (message && message.stream) onMessage(message.stream, message.data);
    });
    current.addEventListener("close", () => {
      if (closed || current !== socket) return;
      setState("reconnecting");
      setTimeout(connect, pause);
      pause = Math.min(pause * 2, 10000);
    });
  }

  const watch = setInterval(() => {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    const now = Date.now();
    if (probeSentAt && now - probeSentAt > PROBE_TIMEOUT_MS) {
      probeSentAt = 0;
      socket.close(); // its close event reconnects
    } else if (!probeSentAt && now - lastHeard > QUIET_MS) {
      probe();
    }
  }, WATCH_EVERY_MS);

  connect();
  return {
    state: () => state,
    close() {
      closed = true;
      clearInterval(watch);
      if (socket) socket.close();
    },
  };
}
