// The page's entry point, loaded by index.html; start.mjs does the rest.
// Everything a resident or an admin typed is set with textContent, never as HTML.

import { main } from './start.mjs';

main();
