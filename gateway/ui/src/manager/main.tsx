import { render } from 'preact';
import { Boot } from '../components/Boot.js';
import '../styles.css';
import { App } from './App.js';

const root = document.getElementById('app');
if (root) {
  render(
    <Boot events={['fact', 'vip.arrival', 'vip.ack', 'assist.ack', 'device', 'device.link']}>
      <App />
    </Boot>,
    root,
  );
}
