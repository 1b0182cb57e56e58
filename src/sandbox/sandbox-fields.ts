/**
 * The lead schema the sandbox serves: standard Marketo fields (REST names and SOAP names as in
 * DEV:help/rest-api/list-of-standard-fields.md) plus the custom fields `leadOwnerEmail`,
 * `salesAgentEmail` and `salesAgentName`.
 */
export interface FieldDefinition {
  id: number;
  name: string;
  soapName: string;
  displayName: string;
  dataType: string;
  length?: number;
  readOnly: boolean;
  /** Usable as `filterType` in Get Leads by Filter Type (listed in Describe Lead2). */
  searchable?: boolean;
}

const f = (
  id: number,
  name: string,
  soapName: string,
  displayName: string,
  dataType: string,
  extra: Partial<FieldDefinition> = {},
): FieldDefinition => ({
  id,
  name,
  soapName,
  displayName,
  dataType,
  ...(['string', 'email', 'phone', 'url'].includes(dataType) ? { length: 255 } : {}),
  readOnly: false,
  ...extra,
});

export const LEAD_FIELDS: readonly FieldDefinition[] = [
  f(1, 'id', 'Id', 'Id', 'integer', { readOnly: true, searchable: true }),
  f(2, 'company', 'Company', 'Company Name', 'string'),
  f(3, 'website', 'Website', 'Website', 'url'),
  f(5, 'salutation', 'Salutation', 'Salutation', 'string'),
  f(6, 'firstName', 'FirstName', 'First Name', 'string'),
  f(7, 'lastName', 'LastName', 'Last Name', 'string'),
  f(8, 'email', 'Email', 'Email Address', 'email', { searchable: true }),
  f(9, 'phone', 'Phone', 'Phone Number', 'phone'),
  f(10, 'mobilePhone', 'MobilePhone', 'Mobile Phone Number', 'phone'),
  f(11, 'title', 'Title', 'Job Title', 'string'),
  f(12, 'address', 'Address', 'Address', 'text'),
  f(13, 'city', 'City', 'City', 'string'),
  f(14, 'state', 'State', 'State', 'string'),
  f(15, 'postalCode', 'PostalCode', 'Postal Code', 'string'),
  f(16, 'country', 'Country', 'Country', 'string'),
  f(17, 'industry', 'Industry', 'Industry', 'string'),
  f(18, 'numberOfEmployees', 'NumberOfEmployees', 'Num Employees', 'integer'),
  f(19, 'annualRevenue', 'AnnualRevenue', 'Annual Revenue', 'currency'),
  f(20, 'leadSource', 'LeadSource', 'Person Source', 'string'),
  f(21, 'leadStatus', 'LeadStatus', 'Lead Status', 'string'),
  f(22, 'leadScore', 'LeadScore', 'Lead Score', 'integer'),
  f(23, 'unsubscribed', 'Unsubscribed', 'Unsubscribed', 'boolean'),
  f(24, 'doNotCall', 'DoNotCall', 'Do Not Call', 'boolean'),
  f(25, 'createdAt', 'CreatedAt', 'Created At', 'datetime', { readOnly: true }),
  f(26, 'updatedAt', 'UpdatedAt', 'Updated At', 'datetime', { readOnly: true }),
  f(1001, 'leadOwnerEmail', 'Lead_Owner_Email__c', 'Lead Owner Email', 'email', {
    searchable: true,
  }),
  // What an admin creates for MEETING_AGENT_EMAIL_FIELD / _NAME_FIELD (the README says so).
  f(1002, 'salesAgentEmail', 'Sales_Agent_Email__c', 'Sales Agent Email', 'email'),
  f(1003, 'salesAgentName', 'Sales_Agent_Name__c', 'Sales Agent Name', 'string'),
];

export const FIELDS_BY_NAME: ReadonlyMap<string, FieldDefinition> = new Map(
  LEAD_FIELDS.map((field) => [field.name, field]),
);

/** Fields Get Leads returns when `fields` is absent (DEV:help/rest-api/leads.md). */
export const DEFAULT_LEAD_FIELDS = [
  'id',
  'email',
  'updatedAt',
  'createdAt',
  'firstName',
  'lastName',
];

/** Fields a client may write; `id`, `createdAt` and `updatedAt` are system managed. */
export function isWritableField(name: string): boolean {
  const field = FIELDS_BY_NAME.get(name);
  return field !== undefined && !field.readOnly;
}

/** Describe Lead: `{ id, displayName, dataType, length, rest, soap }` per field. */
export function describeLeadFields(): unknown[] {
  return LEAD_FIELDS.map((field) => ({
    id: field.id,
    displayName: field.displayName,
    dataType: field.dataType,
    ...(field.length === undefined ? {} : { length: field.length }),
    rest: { name: field.name, readOnly: field.readOnly },
    soap: { name: field.soapName, readOnly: field.readOnly },
  }));
}

/** Describe Lead2: one "API Lead" object with searchable fields and field metadata. */
export function describeLeadFields2(): unknown[] {
  return [
    {
      name: 'API Lead',
      searchableFields: LEAD_FIELDS.filter((field) => field.searchable).map((field) => [
        field.name,
      ]),
      fields: LEAD_FIELDS.map((field) => ({
        name: field.name,
        displayName: field.displayName,
        dataType: field.dataType,
        ...(field.length === undefined ? {} : { length: field.length }),
        updateable: !field.readOnly,
        crmManaged: false,
      })),
    },
  ];
}
