import { config } from 'zod';

// No compiled validators: they need eval, which the page's Content-Security-Policy forbids, and
// zod's probe for it (made when a schema is built) would log a CSP violation. Imported before
// any schema so the setting holds when they are built.
config({ jitless: true });
