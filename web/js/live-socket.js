// The WebSocket stream: parses {"event", "data"} messages, dispatches them by event name, and
// reconnects with exponential backoff (1 s doubling to 30 s, with jitter) when the link drops.

export class LiveSocket {
  constructor(url, { onEvent, onState }) {
    this.url = url;
    this.onEvent = onEvent;
    this.onState = onState;
    this.attempt = 0;
    this.timer = null;
    this.ws = null;
  }

  start() {
    this.connect();
  }

  connect() {
    clearTimeout(this.timer);
    this.onState(this.attempt === 0 ? "connecting" : "reconnecting");
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.onState("live");
    };
    ws.onmessage = (msg) => {
      let parsed;
      try {
        parsed = JSON.parse(msg.data);
      } catch {
        return;  // not ours; the stream only sends JSON
      }
      if (parsed && typeof parsed.event === "string") this.onEvent(parsed.event, parsed.data ?? {});
    };
    ws.onclose = () => {
      if (this.ws === ws) this.retry();
    };
    ws.onerror = () => {};  // onclose follows and schedules the retry
  }

  retry() {
    this.ws = null;
    this.attempt += 1;
    const base = Math.min(30000, 1000 * 2 ** Math.min(this.attempt - 1, 5));
    const delay = base * (0.75 + Math.random() * 0.5);
    this.onState("reconnecting");
    this.timer = setTimeout(() => this.connect(), delay);
  }

  get connected() {
    return this.ws?.readyState === WebSocket.OPEN;
  }
}
