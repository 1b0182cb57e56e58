import nock from 'nock';

// Tests never touch the internet: only loopback (the in-process sandbox and app) is allowed.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/);
