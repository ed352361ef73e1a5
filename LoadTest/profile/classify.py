"""Where a profiled server process spent its CPU, by component: perf report's self time summed per category
(kernel, native runtime, SignalR, Kestrel, WebSockets, ...). Usage: classify.py <perf.data>"""
import re, subprocess, sys, collections
data = sys.argv[1]
out = subprocess.run(["perf","report","-i",data,"--no-children","--sort","dso,sym","--stdio","-g","none"],capture_output=True,text=True).stdout
cats = collections.Counter(); total=0.0
rules = [
 ("kernel (TCP/IP, syscalls, scheduler)", lambda d,s: d.startswith("[kernel")),
 ("runtime native (GC, locks, stubs)", lambda d,s: d.startswith("libcoreclr") or d.startswith("libc.") or d.startswith("ld-linux") or d.startswith("libclrjit") or "stub " in s),
 ("LiveIm engine", lambda d,s: "[RoomGateway]" in s or "[LiveIm." in s),
 ("SignalR hub + Http.Connections transport", lambda d,s: "[Microsoft.AspNetCore.SignalR" in s or "[Microsoft.AspNetCore.Http.Connections" in s),
 ("System.Net.WebSockets", lambda d,s: "[System.Net.WebSockets]" in s),
 ("Kestrel (HTTP/1 upgrade stream, socket transport)", lambda d,s: "Kestrel" in s or "PinnedBlockMemoryPool" in s),
 ("System.IO.Pipelines", lambda d,s: "[System.IO.Pipelines]" in s),
 ("System.Net.Sockets", lambda d,s: "[System.Net.Sockets]" in s),
 ("thread pool, tasks, locks (CoreLib)", lambda d,s: "System.Threading" in s or "System.Runtime.CompilerServices.AsyncValueTask" in s or "AsyncTaskMethodBuilder" in s or "[System.Threading" in s),
 ("LoadTest raw server", lambda d,s: "[LoadTest]" in s),
]
for line in out.splitlines():
    m = re.match(r"\s+([\d.]+)%\s+(\S.*?)\s{2,}\[(.)\]\s+(.*)$", line)
    if not m: continue
    p=float(m.group(1)); d=m.group(2); s=m.group(4); total+=p
    for name,f in rules:
        if f(d,s): cats[name]+=p; break
    else: cats["other managed (CoreLib memory copy, casts, ...)"]+=p
print("| component | share of samples |\n|---|---:|")
for k,v in cats.most_common(): print(f"| {k} | {v:.1f} % |")
print(f"| total | {total:.1f} % |")

# Inclusive time of the stages a frame passes through (a sample counts in every stage on its stack).
stages = [
 ("engine tick (LocalRoom.FanOut, includes inline writes)", "LocalRoom::FanOut("),
 ("SignalR HubConnectionContext.WriteCore (into the connection's pipe)", "HubConnectionContext::WriteCore("),
 ("SignalR WebSocket transport send loop (pipe -> WebSocket)", "WebSocketsServerTransport+<StartSending>"),
 ("raw server send loop (queue -> WebSocket)", "RawConnection+<SendLoopAsync>"),
 ("ManagedWebSocket.SendAsync", "ManagedWebSocket::SendAsync("),
 ("Kestrel socket send loop", "SocketConnection+<DoSend>"),
 ("kernel sendto", "__sys_sendto"),
]
inc = subprocess.run(["perf","report","-i",data,"--children","--sort","sym","--stdio","-g","none"],capture_output=True,text=True).stdout
print("\n| stage (inclusive) | share of samples |\n|---|---:|")
for label, needle in stages:
    best = 0.0
    for line in inc.splitlines():
        m = re.match(r"\s+([\d.]+)%\s+[\d.]+%", line)
        if m and needle in line: best = max(best, float(m.group(1)))
    if best > 0: print(f"| {label} | {best:.1f} % |")
threads = subprocess.run(["perf","report","-i",data,"--no-children","--sort","comm","--stdio","-g","none"],capture_output=True,text=True).stdout
for line in threads.splitlines():
    m = re.match(r"\s+([\d.]+)%\s+(.NET Server GC)", line)
    if m: print(f"| garbage collector threads | {float(m.group(1)):.1f} % |")
counted = subprocess.run(["perf","report","-i",data,"-n","--no-children","--sort","pid","--stdio","-g","none"],capture_output=True,text=True).stdout
n = sum(int(m.group(1)) for m in re.finditer(r"^\s+[\d.]+%\s+(\d+)\s", counted, re.M))
print(f"\n{n} samples at 499 Hz over 8 s = {n / 499 / 8:.2f} cores busy")
