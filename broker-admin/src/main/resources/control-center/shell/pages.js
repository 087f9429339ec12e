// The pages and the permissions each needs (whoami's effective permissions); the server enforces them anyway.
import { overview } from '../pages/overview/overview.js';
import { clients } from '../pages/clients/clients.js';
import { subscriptions } from '../pages/subscriptions/subscriptions.js';
import { topics } from '../pages/topics/topics.js';
import { retained } from '../pages/retained/retained.js';
import { accessLog } from '../pages/access-log/access-log.js';
import { security } from '../pages/security/security.js';
import { audit } from '../pages/audit/audit.js';
import { settings } from '../pages/settings/settings.js';

const any = (...permissions) => (can) => permissions.some(can);

export const PAGES = [
  { id: 'overview', title: 'Overview', allowed: any('metrics:read'), create: overview },
  { id: 'topics', title: 'Topics', allowed: any('insights:read'), create: topics },
  { id: 'clients', title: 'Clients', allowed: any('clients:read'), create: clients },
  { id: 'subscriptions', title: 'Subscriptions', allowed: any('subscriptions:read'), create: subscriptions },
  { id: 'retained', title: 'Retained messages', allowed: any('retained:read'), create: retained },
  { id: 'access-log', title: 'Access log', allowed: any('clients:read'), create: accessLog },
  { id: 'security', title: 'Security', allowed: any('bans:read', 'tokens:write', 'users:read', 'policy:check'),
    create: security },
  { id: 'audit', title: 'Audit log', allowed: any('audit:read'), create: audit },
  { id: 'settings', title: 'Settings', allowed: any('config:read'), create: settings },
];
