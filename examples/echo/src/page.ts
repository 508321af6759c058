/** The example's page: plain HTML and a few lines of browser JavaScript, no build step. */
export const page = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>Corral websocket example</title></head>
<body>
<h1>Corral websocket example</h1>
<p>Status: <span id="status">connecting</span></p>
<form id="form"><input id="text" autocomplete="off" placeholder="say something"><button>Send</button></form>
<ul id="log"></ul>
<script>
  const log = (text) => { const li = document.createElement('li'); li.textContent = text; document.getElementById('log').prepend(li); };
  const ws = new WebSocket('ws://' + location.host + '/websocket');
  ws.onopen = () => { document.getElementById('status').textContent = 'connected'; };
  ws.onclose = (e) => { document.getElementById('status').textContent = 'closed (' + e.code + ')'; };
  ws.onmessage = (e) => log(e.data);
  document.getElementById('form').onsubmit = (e) => {
    e.preventDefault();
    const input = document.getElementById('text');
    ws.send(input.value);
    input.value = '';
  };
</script>
</body>
</html>
`;
