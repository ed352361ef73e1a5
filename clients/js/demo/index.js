// The start page's one behaviour: open the streamer or a viewer for the room typed in (a file, not an inline
// script: the pages' Content-Security-Policy allows scripts from this origin only).
document.getElementById("open").addEventListener("submit", (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  const page = e.submitter ? e.submitter.value : "viewer.html";
  const q = new URLSearchParams({ room: String(f.get("room")) });
  if (page === "viewer.html") q.set("delay", String(f.get("delay")));
  window.open(page + "?" + q.toString(), "_blank");
});
