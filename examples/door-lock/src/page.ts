/** The keypad: ten buttons and a lock button, no build step. */
export const page = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>Corral door lock</title>
<style>body{font-family:sans-serif;max-width:16em;margin:2em auto}button{width:4em;height:3em;margin:.2em}#state{font-size:2em}</style>
</head>
<body>
<h1>Door lock</h1>
<p id="state">connecting</p>
<p id="note"></p>
<div id="keys"></div>
<button id="lock">lock</button>
<script>
  const ws = new WebSocket('ws://' + location.host + '/lock');
  const keys = document.getElementById('keys');
  for (const d of [1, 2, 3, 4, 5, 6, 7, 8, 9, 0]) {
    const b = document.createElement('button');
    b.textContent = d;
    b.onclick = () => ws.send(JSON.stringify({ type: 'button', digit: d }));
    keys.append(b);
  }
  document.getElementById('lock').onclick = () => ws.send(JSON.stringify({ type: 'lock' }));
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.state) { document.getElementById('state').textContent = m.state; document.getElementById('note').textContent = ''; }
    if (m.error) document.getElementById('note').textContent = m.error + (m.attempts ? ' (' + m.attempts + ')' : '');
  };
  ws.onclose = (e) => { document.getElementById('state').textContent = 'closed (' + e.code + ')'; };
</script>
</body>
</html>
`;
