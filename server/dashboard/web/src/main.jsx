// main.jsx starts the dashboard in #app against the GraphQL endpoint the
// page names (data-endpoint).
import { createRoot } from 'react-dom/client';
import 'uplot/dist/uPlot.min.css';
import './dashboard.css';
import { App } from './App.jsx';

const mount = document.getElementById('app');
createRoot(mount).render(<App endpoint={mount.dataset.endpoint} />);
