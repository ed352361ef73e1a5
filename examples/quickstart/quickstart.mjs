import * as signalR from "@microsoft/signalr";
const env = (name, port) => process.env[name] ?? `http://127.0.0.1:${port}`;
const [roomService, gateway1, gateway2] = [env("ROOMSERVICE", 5100), env("GATEWAY1", 5101), env("GATEWAY2", 5102)];
const token = async (who) => (await (await fetch(`${roomService}/api/dev/token`, { method: "POST",
  headers: { "content-type": "application/json" }, body: JSON.stringify(who) })).json()).token;
async function connect(gateway, who) { // the client sends the token as access_token on the WebSocket URL
  const hub = new signalR.HubConnectionBuilder().configureLogging(signalR.LogLevel.Warning)
    .withUrl(`${gateway}/hubs/room`, { accessTokenFactory: () => token(who) }).build();
  hub.on("events", (batch) => batch.forEach((e) => // a frame carries an array of room events
    console.log(`${who.userId} got ${e.type} seq=${e.seq} ${e.text ?? JSON.stringify(e.gift ?? e.online)}`)));
  await hub.start();
  return hub;
}
const [sleep, run] = [(ms) => new Promise((done) => setTimeout(done, ms)), Date.now()]; // run: unique gift ids
const ann = await connect(gateway1, { userId: "ann", name: "Ann", role: "streamer", room: "demo" });
let bob = await connect(gateway2, { userId: "bob", name: "Bob" });            // a viewer on the other gateway
console.log("bob joined:", await bob.invoke("JoinRoom", "demo", null));     // null lastSeq = a fresh join
await ann.invoke("JoinRoom", "demo", null);
await ann.invoke("SendChat", "hello from gateway 1");                        // chat: best effort, no seq
const rose = await ann.invoke("SendGift", "rose", 1, `a-${run}`);            // acked once persisted: { id, seq }
await sleep(300); await bob.stop();                                          // bob drops out...
await ann.invoke("SendGift", "rose", 5, `b-${run}`);                         // ...and misses this gift
bob = await connect(gateway1, { userId: "bob", name: "Bob" });               // back, on gateway 1 this time
console.log("bob resumed:", await bob.invoke("JoinRoom", "demo", rose.seq)); // lastSeq: the missed gift arrives
await sleep(300); await Promise.all([ann.stop(), bob.stop()]);
