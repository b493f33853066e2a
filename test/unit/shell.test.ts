import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import t from 'tap';
import { execPosition, quoteWord, wrapCommand } from '../../src/core/shell.js';

t.test('simple commands are exec-ed so the app is the direct child', async (t) => {
  t.equal(wrapCommand('node server.js'), 'exec 2>&1\nexec node server.js');
  t.equal(wrapCommand('PORT=1 DEBUG=x node s.js'), 'exec 2>&1\nPORT=1 DEBUG=x exec node s.js');
  t.equal(wrapCommand('bundle exec puma -p $PORT'), 'exec 2>&1\nexec bundle exec puma -p $PORT');
  t.equal(wrapCommand('  A="x y" node s'), 'exec 2>&1\n  A="x y" exec node s');
});

/**
 * Real commands, from Procfiles (Rails `bin/dev`, Mastodon, Discourse, GitLab, Chatwoot,
 * Django/Celery apps, Heroku buildpacks' docs) and package.json scripts: where `exec` goes
 * (the text after it), or null when the command keeps its shell.
 */
const REAL: ReadonlyArray<readonly [string, string | null]> = [
  // Rails, bin/dev and Procfile.dev
  ['bin/rails server -p 3000', 'bin/rails server -p 3000'],
  ['bin/rails server -p ${PORT:-5000}', 'bin/rails server -p ${PORT:-5000}'],
  ['bin/rails tailwindcss:watch', 'bin/rails tailwindcss:watch'],
  ['yarn build --watch', 'yarn build --watch'],
  ['yarn build:css --watch', 'yarn build:css --watch'],
  ['bin/vite dev', 'bin/vite dev'],
  ['bundle exec puma -C config/puma.rb', 'bundle exec puma -C config/puma.rb'],
  ['bundle exec sidekiq -C config/sidekiq.yml', 'bundle exec sidekiq -C config/sidekiq.yml'],
  ['bundle exec rails db:migrate', 'bundle exec rails db:migrate'],
  ['bash bin/release-tasks.sh', 'bash bin/release-tasks.sh'],
  // Mastodon
  ['PORT=3000 bundle exec puma -C config/puma.rb', 'bundle exec puma -C config/puma.rb'],
  ['PORT=4000 yarn run start', 'yarn run start'],
  ['./bin/webpack-dev-server --host 127.0.0.1', './bin/webpack-dev-server --host 127.0.0.1'],
  // Discourse, Chatwoot
  ['bundle exec rails server -p $PORT', 'bundle exec rails server -p $PORT'],
  [
    'bundle exec sidekiq -e $RAILS_ENV -c $SIDEKIQ_WORKERS',
    'bundle exec sidekiq -e $RAILS_ENV -c $SIDEKIQ_WORKERS',
  ],
  [
    'dotenv bundle exec sidekiq -C config/sidekiq.yml',
    'dotenv bundle exec sidekiq -C config/sidekiq.yml',
  ],
  // GitLab: quotes inside ${...}
  [
    'bundle exec unicorn_rails -p ${PORT:="3000"} -E ${RAILS_ENV:="development"} -c ${UNICORN_CONFIG:="config/unicorn.rb"}',
    'bundle exec unicorn_rails -p ${PORT:="3000"} -E ${RAILS_ENV:="development"} -c ${UNICORN_CONFIG:="config/unicorn.rb"}',
  ],
  // a `;` inside a quoted assignment
  [
    'SIDEKIQ_CONCURRENCY=10 SIDEKIQ_QUEUES="low_prio:1;variants:1;default:3" bundle exec sidekiq',
    'bundle exec sidekiq',
  ],
  [
    "bundle exec sidekiq -c 3 -v -r './config/sidekiq_boot.rb'",
    "bundle exec sidekiq -c 3 -v -r './config/sidekiq_boot.rb'",
  ],
  [
    'bundle exec unicorn -p $PORT -c ./config/unicorn.rb',
    'bundle exec unicorn -p $PORT -c ./config/unicorn.rb',
  ],
  ['MAX_USER_THREADS=100 bundle exec rake imap:client', 'bundle exec rake imap:client'],
  // Django, Celery
  [
    'gunicorn config.wsgi:application --bind 0.0.0.0:$PORT --workers 3',
    'gunicorn config.wsgi:application --bind 0.0.0.0:$PORT --workers 3',
  ],
  [
    'celery -A config worker --loglevel=info --max-tasks-per-child=50',
    'celery -A config worker --loglevel=info --max-tasks-per-child=50',
  ],
  [
    'celery -A config beat -l info --scheduler django_celery_beat.schedulers:DatabaseScheduler',
    'celery -A config beat -l info --scheduler django_celery_beat.schedulers:DatabaseScheduler',
  ],
  [
    'REMAP_SIGTERM=SIGQUIT celery -A proj.tasks worker -l info',
    'celery -A proj.tasks worker -l info',
  ],
  ['python manage.py migrate', 'python manage.py migrate'],
  ['python manage.py migrate accounts && python manage.py migrate', null],
  ['cd src && gunicorn config.wsgi:application --log-file -', null],
  ['python manage.py migrate && gunicorn config.wsgi', null],
  // Node: package.json scripts
  [
    `node -e "process.on('SIGUSR2', () => console.log('usr2')); setInterval(() => {}, 1000)"`,
    `node -e "process.on('SIGUSR2', () => console.log('usr2')); setInterval(() => {}, 1000)"`,
  ],
  [
    'concurrently "npm run dev:client" "npm run dev:server"',
    'concurrently "npm run dev:client" "npm run dev:server"',
  ],
  [
    'cross-env NODE_ENV=development nodemon --exec ts-node src/index.ts',
    'cross-env NODE_ENV=development nodemon --exec ts-node src/index.ts',
  ],
  [
    `nodemon --watch 'src/**/*.ts' --ignore 'src/**/*.spec.ts' --exec "npx ts-node -T" src/server.ts`,
    `nodemon --watch 'src/**/*.ts' --ignore 'src/**/*.spec.ts' --exec "npx ts-node -T" src/server.ts`,
  ],
  ['NODE_ENV=production node dist/index.js', 'node dist/index.js'],
  ['npm run tsc -- --sourceMap && npm run nodemon -- --delay 2 dist/server', null],
  ['npm run dev -- --port=$PORT', 'npm run dev -- --port=$PORT'],
  ['node --inspect=0.0.0.0:9229 server.js', 'node --inspect=0.0.0.0:9229 server.js'],
  // others: Java, PHP, Python one-liners, redirections, substitutions
  [
    'java -Dserver.port=$PORT $JAVA_OPTS -jar target/app.jar',
    'java -Dserver.port=$PORT $JAVA_OPTS -jar target/app.jar',
  ],
  ['vendor/bin/heroku-php-apache2 public/', 'vendor/bin/heroku-php-apache2 public/'],
  [`python3 -c "import time; time.sleep(100)"`, `python3 -c "import time; time.sleep(100)"`],
  [`ruby -e 'trap("TERM") { exit }; sleep'`, `ruby -e 'trap("TERM") { exit }; sleep'`],
  ['node server.js > log/web.log 2>&1', 'node server.js > log/web.log 2>&1'],
  ['2>&1 node server.js', 'node server.js'],
  ['node $(which server) --port $PORT', 'node $(which server) --port $PORT'],
  ['"$HOME/bin/my server" --port $PORT # the app', '"$HOME/bin/my server" --port $PORT # the app'],
  ['run-parts /etc/periodic/daily && crond -f', null],
  ['foreman s -f Procfile.imap_client_heroku_px', 'foreman s -f Procfile.imap_client_heroku_px'],
];

t.test('real commands: exec where the shell reads one simple command', async (t) => {
  t.ok(REAL.length >= 30, `${REAL.length} real commands`);
  for (const [command, exec] of REAL) {
    const start = execPosition(command);
    t.equal(start === undefined ? null : command.slice(start), exec, command);
  }
});

t.test('builtins, reserved words and compound commands keep their shell', async (t) => {
  for (const command of [
    'command echo x',
    'builtin echo x',
    'exec node x',
    '. ./env.sh',
    'source ./env.sh',
    'cd app',
    'echo `x`',
    'echo $(x)',
    'trap "" TERM; x',
    'if true; then x; fi',
    '{ a; }',
    '! a',
    'time node x',
    'a && b',
    'a; b',
    'a | b',
    '(a)',
    'sleep 100 &',
    'f() { a; }',
    'A=1',
    'A=1 >log',
    '$CMD args',
    '${CMD} args',
    'cat <<EOF',
    'echo "unterminated',
    "echo 'unterminated",
    'echo $(unterminated',
    'a \\',
    'node x >',
  ]) {
    t.equal(wrapCommand(command), `exec 2>&1\n${command}`, command);
  }
});

t.test(
  'the wrapped commands mean what they meant: sh runs them and exits as the app',
  async (t) => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      [`A="x;y" B='(z)' sh -c 'printf "%s|%s|%s" "$A" "$B" ";)"'`, 'x;y|(z)|;)'],
      ['command printf ok', 'ok'],
      [`printf '%s' "a b" >&2`, 'a b'],
      ['2>&1 printf "%s" 1', '1'],
      [`printf '%s' $(printf x) \${U:-"y;z"} # c`, 'xy;z'],
    ];
    for (const [command, out] of cases) {
      t.equal(
        execFileSync('/bin/sh', ['-c', wrapCommand(command)], { encoding: 'utf8' }),
        out,
        command,
      );
    }
  },
);

t.test('quoteWord gives words sh reads back exactly', async (t) => {
  t.equal(quoteWord('plain-word_1.2'), 'plain-word_1.2');
  t.equal(quoteWord(''), "''");
  t.equal(quoteWord("it's"), `'it'\\''s'`);
  const words = fc.array(
    fc.string({ maxLength: 20 }).filter((w) => !w.includes('\0')),
    { maxLength: 5 },
  );
  fc.assert(
    fc.property(words, (list) => {
      const script = `printf '%s\\0' ${list.map(quoteWord).join(' ')}`;
      const out =
        list.length === 0 ? '' : execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
      return out === list.map((w) => `${w}\0`).join('');
    }),
    { numRuns: 40 },
  );
});
