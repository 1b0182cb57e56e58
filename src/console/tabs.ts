import type { ComponentType } from 'react';
import { CalendarTab } from './tabs/calendar-tab.js';
import { ConfigurationTab } from './tabs/configuration-tab.js';
import { DialoguesTab } from './tabs/dialogues-tab.js';
import { IntegrationsTab } from './tabs/integrations-tab.js';
import { MeetingsTab } from './tabs/meetings-tab.js';
import { ReportsTab } from './tabs/reports-tab.js';
import { RoutingTab } from './tabs/routing-tab.js';

/** A tab gets the rest of its `#/<tab>/...` path (e.g. the dialogue being designed). */
export interface TabProps {
  path: string[];
}

export const TABS = [
  { id: 'integrations', label: 'Integrations', component: IntegrationsTab },
  { id: 'dialogues', label: 'Dialogues', component: DialoguesTab },
  { id: 'configuration', label: 'Configuration', component: ConfigurationTab },
  { id: 'calendar', label: 'Calendar', component: CalendarTab },
  { id: 'meetings', label: 'Meetings', component: MeetingsTab },
  { id: 'routing', label: 'Routing', component: RoutingTab },
  { id: 'reports', label: 'Reports', component: ReportsTab },
] as const satisfies ReadonlyArray<{
  id: string;
  label: string;
  component: ComponentType<TabProps>;
}>;

export type TabId = (typeof TABS)[number]['id'];
