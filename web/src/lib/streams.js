// Market streams over the public WebSocket API (/stream?streams=a/b), reconnecting with a
// growing pause after a drop. `onMessage(stream, data)` gets each event; `onOpen` runs after
// every (re)connect, so a page can refetch the snapshots it keeps in sync.

export function openStreams(names, onMessage, onOpen = () => {}) {
  let socket = null;
  let closed = false;
  let pause = 500;

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/stream?streams=${names.join("/")}`);
    socket.addEventListener("open", () => {
      pause = 500;
      onOpen();
    });
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      if (message && message.stream) onMessage(message.stream, message.data);
    });
    socket.addEventListener("close", () => {
      if (closed) return;
      setTimeout(connect, pause);
      pause = Math.min(pause * 2, 10000);
    });
  }

  connect();
  return {
    close() {
      closed = true;
      if (socket) socket.close();
    },
  };
}
