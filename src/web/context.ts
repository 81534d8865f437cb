import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import type { Principal } from '../domain/tokens.js';
import type { SafeHtml } from './html.js';
import type { Lang } from './i18n.js';
import type { WebSession } from './session.js';

/** What a page handler gets: the service's dependencies, the clock reading, the caller and their language. */
export interface PageContext {
  db: Db;
  config: Config;
  now: Date;
  lang: Lang;
  session: WebSession;
  principal: Principal;
  /** Path and query of the request. */
  url: string;
}

export interface Page {
  title: string;
  main: SafeHtml;
  topics?: string[];
  scripts?: string[];
  status?: number;
}
