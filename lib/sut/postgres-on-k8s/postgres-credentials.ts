import { inspect } from 'node:util';
import { POSTGRES_USER } from './postgres-k8s-settings.js';
import { REDACTED } from './postgres-secret.js';

/**
 * The superuser login of one run's Postgres. The password is generated per run and goes only into
 * the Secret and into connection parameters: printing, logging or JSON-serialising this object
 * shows a placeholder instead.
 */
export class PostgresCredentials {
  readonly user = POSTGRES_USER;
  readonly database = 'postgres';
  readonly #password: string;

  constructor(password: string) {
    if (password === '') throw new Error('the Postgres password must not be empty');
    this.#password = password;
  }

  get password(): string {
    return this.#password;
  }

  toJSON(): Record<string, string> {
    return { user: this.user, database: this.database, password: REDACTED };
  }

  [inspect.custom](): string {
    return `PostgresCredentials { user: '${this.user}', database: '${this.database}', password: ${REDACTED} }`;
  }
}
