// The chat page: plain browser JavaScript, no build step. It speaks the JSON frames of
// src/protocol.ts over one WebSocket to /ws?user=<name>&room=<room>.
const $ = (id) => document.getElementById(id);
let ws;
let me;
let heartbeat;

function line(cls, ...parts) {
  const li = document.createElement('li');
  li.className = cls;
  for (const part of parts) {
    if (typeof part === 'string') li.append(part);
    else {
      const b = document.createElement('span');
      b.className = 'from';
      b.textContent = part.from;
      li.append(b);
    }
  }
  const list = $('messages');
  list.append(li);
  list.scrollTop = list.scrollHeight;
}

function showMembers(members) {
  $('members').replaceChildren(
    ...members.map((name) => {
      const li = document.createElement('li');
      li.textContent = name === me ? `${name} (you)` : name;
      li.onclick = () => {
        $('dm-to').value = name;
        $('dm-text').focus();
      };
      return li;
    }),
  );
}

function handle(f) {
  switch (f.type) {
    case 'welcome':
      me = f.user;
      $('signin').hidden = true;
      $('chat').hidden = false;
      break;
    case 'refused':
      $('signin-error').textContent = f.reason;
      break;
    case 'joined':
      if (!f.rejoined) $('messages').replaceChildren();
      $('room-name').textContent = `#${f.room}`;
      $('status').textContent = `${me} in #${f.room}`;
      $('restarts').textContent = String(f.restarts);
      if (f.rejoined)
        line(
          'system',
          `rejoined #${f.room} (restarted ${f.restarts} time(s)); the messages before the crash are lost`,
        );
      else line('system', `joined #${f.room}`);
      for (const m of f.history) line('message', { from: m.from }, `: ${m.text}`);
      showMembers(f.members);
      $('text').focus();
      break;
    case 'message':
      line('message', { from: f.from }, `: ${f.text}`);
      break;
    case 'members':
      showMembers(f.members);
      break;
    case 'dm':
      line('dm', f.from === me ? `you → ${f.to}: ${f.text}` : `${f.from} → you: ${f.text}`);
      break;
    case 'notice':
      line('notice', `notice from the operator: ${f.text}`);
      break;
    case 'room_down':
      line('system', `#${f.room} went down (${f.reason}); its supervisor is restarting it, rejoining…`);
      break;
    case 'error':
      line('error', f.reason);
      break;
  }
}

function connect(user, room) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const q = `user=${encodeURIComponent(user)}&room=${encodeURIComponent(room)}`;
  ws = new WebSocket(`${scheme}://${location.host}/ws?${q}`);
  ws.onmessage = (e) => handle(JSON.parse(e.data));
  ws.onopen = () => {
    heartbeat = setInterval(() => send({ type: 'ping' }), 30_000);
  };
  ws.onclose = (e) => {
    clearInterval(heartbeat);
    if (e.code === 4409) return; // name taken: the sign-in form shows why
    $('status').textContent = `disconnected (${e.code}); reload the page to sign in again`;
  };
}

const send = (frame) => ws?.readyState === WebSocket.OPEN && ws.send(JSON.stringify(frame));

function onSubmit(id, fn) {
  $(id).onsubmit = (e) => {
    e.preventDefault();
    fn();
  };
}

onSubmit('signin-form', () => {
  $('signin-error').textContent = '';
  connect($('name').value.trim(), $('room').value.trim());
});
onSubmit('say-form', () => {
  const text = $('text').value.trim();
  if (text) send({ type: 'say', text });
  $('text').value = '';
});
onSubmit('dm-form', () => {
  const text = $('dm-text').value.trim();
  if (text) send({ type: 'dm', to: $('dm-to').value.trim(), text });
  $('dm-text').value = '';
});
onSubmit('room-form', () => {
  const room = $('switch-room').value.trim();
  if (room) send({ type: 'join', room });
  $('switch-room').value = '';
});
$('crash').onclick = () => send({ type: 'crash' });
$('name').focus();
