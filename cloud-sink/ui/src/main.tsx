import { render } from 'preact';
import './styles.css';
import { Boot } from './App.js';

const root = document.getElementById('app');
if (root) render(<Boot />, root);
