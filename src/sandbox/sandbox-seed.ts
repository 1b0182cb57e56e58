import { toIso } from './envelope.js';
import type { SandboxLead } from './sandbox-types.js';

/**
 * Deterministic demo leads: the same `seed` always yields the same people, so benchmarks and
 * demos are repeatable. Ids rise from `firstLeadId` with `idGapRate` of them skipped (as if
 * deleted); createdAt rises with the id over about three years; updatedAt >= createdAt.
 */

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG returning [0, 1). */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = (
  'James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard ' +
  'Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy Anthony Sandra Mark ' +
  'Ashley Steven Emily Andrew Michelle Joshua Amanda Kevin Melissa Brian Stephanie Priya Arjun ' +
  'Wei Mei Hiroshi Yuki Lukas Anna Sofia Mateo Camila Liam Emma Noah Olivia Ethan Chloe Omar ' +
  'Fatima Diego Lucia Kwame Amara Sven Ingrid'
).split(' ');
const LAST = (
  'Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez ' +
  'Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris ' +
  'Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill ' +
  'Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Patel Shah Chen ' +
  'Wang Tanaka Sato Muller Schmidt Fischer Rossi Silva Costa Dubois Laurent Kowalski Novak ' +
  'Johansson Larsen Okafor Mensah Haddad Kim Park Murphy Kelly OBrien Cohen'
).split(' ');
const COMPANIES: Array<[name: string, domain: string, industry: string, employees: number]> = [
  ['Northwind Traders', 'northwind.example', 'Retail', 420],
  ['Contoso Pharmaceuticals', 'contoso-pharma.example', 'Healthcare', 8200],
  ['Fabrikam Robotics', 'fabrikam.example', 'Manufacturing', 1300],
  ['Adatum Financial', 'adatum.example', 'Financial Services', 5600],
  ['Tailspin Airlines', 'tailspin.example', 'Transportation', 12000],
  ['Wingtip Toys', 'wingtiptoys.example', 'Retail', 85],
  ['Litware Software', 'litware.example', 'Software', 640],
  ['Proseware Analytics', 'proseware.example', 'Software', 210],
  ['Lucerne Publishing', 'lucernepublishing.example', 'Media', 330],
  ['Margie Travel', 'margietravel.example', 'Hospitality', 95],
  ['Blue Yonder Logistics', 'blueyonder.example', 'Transportation', 2700],
  ['Coho Vineyard', 'cohovineyard.example', 'Food & Beverage', 60],
  ['Alpine Ski House', 'alpineskihouse.example', 'Hospitality', 140],
  ['Humongous Insurance', 'humongousinsurance.example', 'Insurance', 9800],
  ['Trey Research', 'treyresearch.example', 'Biotechnology', 480],
  ['Woodgrove Bank', 'woodgrovebank.example', 'Financial Services', 15000],
  ['Relecloud', 'relecloud.example', 'Telecommunications', 3100],
  ['Southridge Video', 'southridgevideo.example', 'Media', 720],
  ['VanArsdel Foods', 'vanarsdel.example', 'Food & Beverage', 1900],
  ['Graphic Design Institute', 'graphicdesigninstitute.example', 'Education', 150],
  ['Fourth Coffee', 'fourthcoffee.example', 'Food & Beverage', 260],
  ['Datum Energy', 'datumenergy.example', 'Energy', 4300],
  ['Bellows College', 'bellowscollege.example', 'Education', 900],
  ['Consolidated Messenger', 'consolidatedmessenger.example', 'Transportation', 530],
  ['Nod Publishers', 'nodpublishers.example', 'Media', 45],
  ['Olympia Medical Devices', 'olympiamed.example', 'Healthcare', 2300],
  ['Greenleaf Solar', 'greenleafsolar.example', 'Energy', 380],
  ['Ironclad Security', 'ironcladsec.example', 'Software', 1150],
  ['Summit Legal Partners', 'summitlegal.example', 'Legal Services', 220],
  ['Harbor Freightworks', 'harborfreight.example', 'Manufacturing', 6400],
];
const TITLES = (
  'Marketing Manager|VP of Marketing|Chief Marketing Officer|Demand Generation Manager|' +
  'Marketing Operations Manager|Director of Sales|Account Executive|Sales Development ' +
  'Representative|Chief Technology Officer|IT Director|Software Engineer|Product Manager|' +
  'Head of Growth|Data Analyst|Chief Executive Officer|Chief Financial Officer|Operations ' +
  'Manager|Procurement Specialist|Customer Success Manager|Content Strategist|Brand Manager|' +
  'Digital Marketing Specialist|Business Analyst|HR Director|Solutions Architect'
).split('|');
const PLACES: Array<[country: string, dial: string, states: Array<[string, string]>]> = [
  [
    'United States',
    '+1',
    [
      ['CA', 'San Francisco'],
      ['NY', 'New York'],
      ['TX', 'Austin'],
      ['IL', 'Chicago'],
      ['WA', 'Seattle'],
      ['MA', 'Boston'],
      ['GA', 'Atlanta'],
      ['CO', 'Denver'],
    ],
  ],
  [
    'United Kingdom',
    '+44',
    [
      ['England', 'London'],
      ['England', 'Manchester'],
      ['Scotland', 'Edinburgh'],
    ],
  ],
  [
    'Germany',
    '+49',
    [
      ['Berlin', 'Berlin'],
      ['Bavaria', 'Munich'],
      ['Hamburg', 'Hamburg'],
    ],
  ],
  [
    'France',
    '+33',
    [
      ['Ile-de-France', 'Paris'],
      ['Auvergne-Rhone-Alpes', 'Lyon'],
    ],
  ],
  [
    'Canada',
    '+1',
    [
      ['ON', 'Toronto'],
      ['BC', 'Vancouver'],
      ['QC', 'Montreal'],
    ],
  ],
  [
    'Australia',
    '+61',
    [
      ['NSW', 'Sydney'],
      ['VIC', 'Melbourne'],
    ],
  ],
  [
    'India',
    '+91',
    [
      ['Karnataka', 'Bengaluru'],
      ['Maharashtra', 'Mumbai'],
    ],
  ],
  [
    'Japan',
    '+81',
    [
      ['Tokyo', 'Tokyo'],
      ['Osaka', 'Osaka'],
    ],
  ],
  [
    'Brazil',
    '+55',
    [
      ['SP', 'Sao Paulo'],
      ['RJ', 'Rio de Janeiro'],
    ],
  ],
  [
    'Netherlands',
    '+31',
    [
      ['North Holland', 'Amsterdam'],
      ['South Holland', 'Rotterdam'],
    ],
  ],
];
const SOURCES = [
  'Website',
  'Webinar',
  'Trade Show',
  'Paid Search',
  'Organic Search',
  'Referral',
  'Content Syndication',
  'Partner',
  'Email',
  'Social Media',
];
const STATUSES = ['New', 'Open', 'Working', 'Nurturing', 'Qualified', 'Unqualified', 'Converted'];
const SALUTATIONS = ['Mr.', 'Ms.', 'Mrs.', 'Dr.'];
const OWNERS = [
  'avery.lane',
  'jordan.blake',
  'casey.morgan',
  'riley.quinn',
  'taylor.reese',
  'morgan.hayes',
].map((name) => `${name}@sandbox-sales.example`);
const STREETS = ['Main St', 'Oak Ave', 'Market St', 'Park Blvd', 'Lake Dr', 'Hill Rd', 'King St'];

const FIRST_LOWER = FIRST.map((name) => name.toLowerCase());
const LAST_LOWER = LAST.map((name) => name.toLowerCase());
const COMPANIES_WITH_SITES = COMPANIES.map(
  (company) => [...company, `https://www.${company[1]}`] as const,
);

const THREE_YEARS_MS = 3 * 365 * 24 * 3600 * 1000;

export interface SeedOptions {
  count: number;
  seed: number;
  idGapRate: number;
  firstLeadId: number;
  now: number;
}

export function seedLeads(options: SeedOptions): SandboxLead[] {
  const random = createRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  // Numbers in [low, low * 10): fixed width without padding, so no extra strings to collect.
  const digits = (low: number) => low + Math.floor(random() * low * 9);
  const emailsSeen = new Map<string, number>();
  const end = options.now - 3600 * 1000;
  const start = end - THREE_YEARS_MS;
  const step = THREE_YEARS_MS / Math.max(1, options.count);
  const leads: SandboxLead[] = new Array(options.count);
  let id = options.firstLeadId;

  for (let i = 0; i < options.count; i++) {
    while (random() < options.idGapRate) id++;
    const firstIndex = Math.floor(random() * FIRST.length);
    const lastIndex = Math.floor(random() * LAST.length);
    const [company, domain, industry, employees, website] = pick(COMPANIES_WITH_SITES);
    const [country, dial, states] = pick(PLACES);
    const [state, city] = pick(states);
    const local = `${FIRST_LOWER[firstIndex]}.${LAST_LOWER[lastIndex]}`;
    const baseEmail = `${local}@${domain}`;
    const seen = emailsSeen.get(baseEmail) ?? 0;
    emailsSeen.set(baseEmail, seen + 1);
    const createdMs = start + (i + random()) * step;
    const updatedMs = createdMs + random() ** 3 * (end - createdMs);
    leads[i] = {
      id,
      createdAt: toIso(createdMs),
      updatedAt: toIso(updatedMs),
      company,
      website,
      salutation: random() < 0.6 ? pick(SALUTATIONS) : null,
      firstName: FIRST[firstIndex] as string,
      lastName: LAST[lastIndex] as string,
      email: seen === 0 ? baseEmail : `${local}${seen + 1}@${domain}`,
      phone: `${dial} ${digits(100)} ${digits(100)} ${digits(1000)}`,
      mobilePhone: random() < 0.4 ? `${dial} ${digits(100)} ${digits(100)} ${digits(1000)}` : null,
      title: pick(TITLES),
      address: random() < 0.7 ? `${1 + Math.floor(random() * 9000)} ${pick(STREETS)}` : null,
      city,
      state,
      postalCode: random() < 0.7 ? String(digits(10_000)) : null,
      country,
      industry,
      numberOfEmployees: employees,
      annualRevenue: employees * (80_000 + Math.floor(random() * 120) * 1000),
      leadSource: pick(SOURCES),
      leadStatus: pick(STATUSES),
      leadScore: Math.floor(random() * 101),
      unsubscribed: random() < 0.03,
      doNotCall: random() < 0.05,
      leadOwnerEmail: pick(OWNERS),
    };
    id++;
  }
  return leads;
}
