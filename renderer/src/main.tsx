import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { resolveBridge } from './host/bridge';
import './index.css';

const root = createRoot(document.getElementById('root')!);
void resolveBridge().then((bridge) => {
  root.render(
    <StrictMode>
      <App bridge={bridge} />
    </StrictMode>,
  );
});
