// The counters from GET /dashboard/stats, in the page header.

import {$, el, replace} from '../dom.js';

export async function renderStats(api) {
  const {data} = await api.get('/dashboard/stats');
  const entries = [
    ['New', data?.messages?.new, 'stat-new'],
    ['Read', data?.messages?.read, 'stat-read'],
    ['Replied', data?.messages?.replied, 'stat-replied'],
    ['Archived', data?.messages?.archived, 'stat-archived'],
    ['Spam', data?.messages?.spam, 'stat-spam'],
    ['Users', data?.users, 'stat-users'],
    ['Mail pending', data?.notifications?.pending, 'stat-pending'],
    ['Mail failed', data?.notifications?.failed, 'stat-failed'],
    // Per channel; the chat counters only matter on a stage that posts to a webhook.
    ...(data?.deliveries?.chat?.pending || data?.deliveries?.chat?.failed ? [
      ['Chat pending', data.deliveries.chat.pending, 'stat-chat-pending'],
      ['Chat failed', data.deliveries.chat.failed, 'stat-chat-failed'],
    ] : []),
    // The stage's retention (a form's own comes first): how long a message is kept.
    ['Kept', retentionText(data?.retentionDays), 'stat-retention'],
  ];
  const box = $('#stats');
  replace(box, ...entries.map(([label, value, id]) => el('div', {className: 'stat'},
    el('dt', {text: label}), el('dd', {attrs: {id}, text: value ?? '–'}))));
  box.hidden = false;
}

function retentionText(days) {
  if (days === undefined || days === null) return undefined;
  if (days === 0) return 'forever';
  return days === 1 ? '1 day' : `${days} days`;
}

export function showStatsUnavailable(reason) {
  const box = $('#stats');
  replace(box, el('div', {className: 'stat muted', attrs: {title: reason}, text: 'Stats unavailable'}));
  box.hidden = false;
}
