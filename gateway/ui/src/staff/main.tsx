import { render } from 'preact';
import { Boot } from '../components/Boot.js';
import '../styles.css';
import { StaffApp } from './StaffApp.js';

const root = document.getElementById('app');
if (root) {
  render(
    <Boot events={['vip.arrival', 'vip.ack', 'assist.alert', 'assist.ack']} title="app.staffTitle">
      <StaffApp />
    </Boot>,
    root,
  );
}

// Installable and quick to open on a flaky shop-floor Wi-Fi; the API itself is never cached.
if ('serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    void navigator.serviceWorker.register('/staff/sw.js', { scope: '/staff/' }).catch(() => undefined);
  });
}
