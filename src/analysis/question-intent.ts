/**
 * What a question asks for, read from its wording: the attribute (a date, an amount of money, a
 * percentage, a duration, a count, a name, a phone number...), the role of a date (bids due, questions
 * due, pre-bid meeting, award, start, completion) and whether it is a title-page fact (who the owner is,
 * what the project is called, where it is). Retrieval uses it to look where such facts are written;
 * extraction uses it to take only a value of the asked kind, and to abstain when the topic is there
 * but the asked attribute is not.
 */
import type { ExpectedType } from '../questions/types.js';
import type { UnitClass } from './extract-value.js';

export type Attribute =
  | 'date'
  | 'money'
  | 'dollars'
  | 'percent'
  | 'duration'
  | 'count'
  | 'length'
  | 'pressure'
  | 'temperature'
  | 'measure'
  | 'quantity'
  | 'amount'
  | 'weighting'
  | 'hours'
  | 'phone'
  | 'email'
  | 'identifier'
  | null;
export type DateRole = 'bid_due' | 'questions' | 'prebid' | 'award' | 'start' | 'completion';

export interface QuestionIntent {
  attribute: Attribute;
  dateRole: DateRole | null;
  /** Owner, project name, location: facts stated on the cover and in the notice/advertisement. */
  titleFact: boolean;
  /** The question is yes/no ("Are there...", "Is a ... required?"). */
  yesNo: boolean;
}

/**
 * Words that put a date in a role; checked around the date and in the question. Order matters: the first match wins in
 * a question.
 */
export const DATE_ROLE_WORDS: Array<[DateRole, RegExp]> = [
  ['questions', /\b(questions?|inquir(y|ies)|enquir(y|ies)|clarifications?|rfis?|requests? for information)\b/i],
  [
    'prebid',
    /\b(pre-?\s?bid|pre-?\s?proposal|pre-?\s?tender|site (visit|tour|meeting)|walk-?through|bidders'? (meeting|conference)|information (meeting|session)|meeting|conference)\b/i,
  ],
  ['award', /\b(award(ed)?|notice of award|recommendation)\b/i],
  ['start', /\b(notice to proceed|commence(ment)?|start(ing)?|begin(ning)?|mobiliz\w*)\b/i],
  ['completion', /\b(complet(e|ed|ion)|substantial(ly)? complet\w*|final acceptance|finish(ed)?)\b/i],
  [
    'bid_due',
    /\b(bids?|proposals?|tenders?|submissions?|quotations?|closing|clos(e|es)|deadline|due|opening|opened|received|submit(ted)?)\b/i,
  ],
];

/** Physical quantities a question may ask the value of. */
const MEASURE_WORD =
  /\b(loads?|thickness|strength|modulus|diameters?|depth|width|height|weight|capacity|pressure|temperature|velocity|slope|dimensions?|size|area|volume|span)\b/i;

/**
 * The measure a question asks the value of ("thickness" in "What is the minimum liner thickness?"), lower-cased;
 * null when it asks none. A text that never names it gives some other property's value.
 */
export function askedMeasure(questionText: string): string | null {
  const word =
    MEASURE_WORD.exec(questionText)?.[1]
      ?.toLowerCase()
      .replace(/(?<!s)s$/, '') ?? null;
  // A size, capacity or weight is named by its unit ("a 37' x 32' shed", "a 2,000 gallon tank"); a thickness,
  // depth or strength shares its unit with neighbouring properties and must be named.
  return word === null || UNIT_NAMED_MEASURES.has(word) ? null : word;
}
const UNIT_NAMED_MEASURES = new Set(['size', 'dimension', 'capacity', 'weight', 'area', 'volume', 'temperature']);

const ATTRIBUTES: Array<[Attribute, RegExp]> = [
  ['phone', /\b(phone|telephone|fax|facsimile)\b/i],
  ['email', /\be-?mail\b/i],
  // The unit named in the question decides: "the bid bond amount in dollars" is not answered by "10 percent".
  ['dollars', /\b(in|as a) (dollars?|\$)(?!\w)|\bdollar (amount|value|figure)\b/i],
  ['length', /\b(in|as) (millimet\w*|centimet\w*|met(er|re)s|inch(es)?|feet|foot)\b/i],
  // An evaluation criterion's weight is a percentage or points, whatever the criterion ("the cost estimate").
  [
    'weighting',
    /\b(weightings?|weighted|scores?|(how many|maximum|total) points|points? (awarded|allocated|assigned|available))\b/i,
  ],
  // "What are the regular working hours?": the hours of the day work may go on ("7:00 a.m. to 5:00 p.m."), not a
  // number of hours (that is "how many").
  [
    'hours',
    /^(?!.*\bhow (many|much|long)\b).*\b((working|work|regular|normal|permitted|allowable|business|construction|site|office) hours|hours of (work|operation|construction))\b/i,
  ],
  // Only the word itself: "retention or liquidated damages provisions" asks for clauses, not a percentage.
  ['percent', /\b(percent(age)?|%)(?!\w)|\bparticipation (goal|level|requirement)s?\b/i],
  [
    'duration',
    /\b(how long|how soon|how much time|duration|how many (calendar |working )?(days|weeks|months|years)|(time|period) (for|of|allowed)|contract time|timeline|period)\b/i,
  ],
  [
    'money',
    /\b(how much|cost|budget|price|amount|fee|dollar|value of|estimate[d]?|damages(?!\s+(provisions?|clauses?|requirements?)))\b|\b(insurance|liability|coverage|umbrella)\b.*\blimits?\b|\blimits?\b.*\b(insurance|liability|coverage)\b/i,
  ],
  // Before "number of": "the docket number of this rule" asks for an identifier, not a count.
  ['identifier', /\b(docket|reference|contract|project|bid|solicitation|file) (number|no\.?|id)\b/i],
  // "minimum crew size": a group's size is how many it has.
  ['count', /\b(how many|number of)\b|\b(crew|team|staff|workforce|sample|group|fleet)\s+sizes?\b/i],
  ['date', /\b(when|what date|which date|dates?|deadline|due)\b/i],
  // A physical quantity ("the required snow load", "the size of the shed"): a number with a unit answers it.
  ['measure', MEASURE_WORD],
];

/** "How much" before the thing it measures ("How much CIPP experience must the installer have?"). */
const HOW_MUCH_NOUN =
  /\bhow much\s+((?:[a-z][a-z-]*\s+){1,3}?)(?:must|shall|should|will|would|is|are|was|were|may|can|could|does|do|did|has|have|had|of|per|to|in|for|on|at|by)\b/i;
/** Things whose "how much" is an amount of money. */
const MONEY_NOUN =
  /\b(money|funds?|funding|costs?|budget|prices?|fees?|dollars?|pay|payments?|compensation|bonds?|insurance|coverage|damages|retainage|holdback|deposit|allowances?|contingenc\w*|security|penalt\w*|markups?|overhead|profit|taxe?s?|charges?|rates?|wages?|premiums?)\b/i;
/** Money words elsewhere in a "how much" question ("How much product cost is allowed?"). */
const MONEY_WORDS = /\b(cost|budget|price|amount|fee|dollar|value of|estimate[d]?|damages)\b|\$/i;

/**
 * "How much experience / product / material": a quantity in whatever unit the text measures it (linear feet,
 * years, tons), not money; "How much is the bid bond?" and "How much may the owner retain?" keep money.
 */
function asksQuantityNotMoney(text: string): boolean {
  const noun = HOW_MUCH_NOUN.exec(text)?.[1];
  return noun !== undefined && !MONEY_NOUN.test(noun) && !MONEY_WORDS.test(text.replace(/\bhow much\b/gi, ''));
}
/**
 * "How much may the owner retain?": "how much" right before its verb names neither a unit nor a thing, so a sum, a
 * percentage or a multiple of another amount answers; a named limit or cost is a sum or a percentage only.
 */
function asksBareAmount(text: string): boolean {
  return (
    /\bhow much\s+(?:may|must|shall|should|will|would|can|could|is|are|does|do)\b/i.test(text) &&
    !MONEY_WORDS.test(text.replace(/\bhow much\b/gi, '')) &&
    !MONEY_NOUN.test(text)
  );
}
/** "What is the substantial completion date?": a date named as the thing asked, though no "when". */
const DATE_NOUN =
  /\b(effective|completion|closing|opening|start(ing)?|commencement|award|due|delivery|publication|expiry|expiration|submission|bid|tender|proposal|meeting) date\b|\bdate (of|for|by which)\b/i;
/** A measure question asking for a method or a standard, not a value ("What thickness test standard applies?"). */
const NOT_A_VALUE =
  /\b(methods?|standards?|procedures?|tests?|testing|how (is|are)|astm|determined|measured|calculated|verified|design(ed)? (per|by))\b/i;

/** An area that is a place of the work ("staging area", "laydown area"), named with its use. */
const PLACE_AREA =
  /\b(staging|storage|laydown|lay-down|work|parking|stockpile|stockpiling|disposal|waste|wash-?out)\s+areas?\b/i;

const TITLE_FACT =
  /\b(who is|who are|owner|owner'?s|contracting (authority|agency)|project (name|title)|name of the project|title of the project|where is|location|located)\b/i;
const YES_NO = /^\s*(are|is|does|do|will|shall|must|has|have|can)\b/i;

/** The question's intent (pure function of its wording and expected type). */
export function readQuestionIntent(questionText: string, expectedType: ExpectedType): QuestionIntent {
  const text = questionText;
  let attribute: Attribute = null;
  for (const [a, re] of ATTRIBUTES) {
    if (re.test(text)) {
      attribute = a;
      break;
    }
  }
  if (attribute === 'money' && asksQuantityNotMoney(text)) attribute = 'quantity';
  else if (attribute === 'money' && asksBareAmount(text)) attribute = 'amount';
  // A typed question decides what kind of value it wants when its words do not.
  if (expectedType === 'date') attribute = 'date';
  if (
    attribute === 'date' &&
    expectedType !== 'date' &&
    !/\b(when|what date|which date|deadline|due)\b/i.test(text) &&
    !DATE_NOUN.test(text)
  )
    attribute = null;
  if (attribute === 'measure' && (NOT_A_VALUE.test(text) || expectedType === 'list' || expectedType === 'boolean'))
    attribute = null;
  // "What staging area requirements exist?": a place on the site, not a surface to measure.
  if (attribute === 'measure' && MEASURE_WORD.exec(text)?.[1]?.toLowerCase() === 'area' && PLACE_AREA.test(text))
    attribute = null;
  // "What is the amount of the performance bond?" may be answered by a percentage of the contract price.
  const yesNo = YES_NO.test(text) || expectedType === 'boolean';
  // A yes/no question about a topic ("Are there allowances included?") is answered by the clause, not a value.
  if (yesNo && expectedType !== 'number' && expectedType !== 'date') attribute = null;
  let dateRole: DateRole | null = null;
  if (attribute === 'date' || expectedType === 'date') {
    for (const [role, re] of DATE_ROLE_WORDS) {
      if (re.test(text)) {
        dateRole = role;
        break;
      }
    }
  }
  return { attribute, dateRole, titleFact: TITLE_FACT.test(text), yesNo };
}

/** Unit classes that satisfy an attribute (null = no restriction from the attribute). */
export function unitClassesFor(attribute: Attribute): UnitClass[] | null {
  switch (attribute) {
    case 'money':
      return ['money', 'percent'];
    case 'amount':
      // "The Owner may retain up to 2.5 times the value of the deficiency": an amount relative to another.
      return ['money', 'percent', 'ratio'];
    case 'dollars':
      return ['money'];
    case 'length':
      return ['length'];
    case 'pressure':
      return ['pressure'];
    case 'temperature':
      return ['temperature'];
    case 'measure':
      return ['length', 'area', 'volume', 'weight', 'pressure', 'temperature', 'flow', 'percent', 'other'];
    case 'percent':
      return ['percent'];
    case 'quantity':
      return [
        'length',
        'area',
        'volume',
        'weight',
        'pressure',
        'temperature',
        'flow',
        'time',
        'percent',
        'count',
        'other',
      ];
    case 'weighting':
      return ['percent', 'count'];
    case 'duration':
      return ['time'];
    case 'count':
      return ['count', 'time', 'length', 'money', 'area', 'flow', 'pressure', 'temperature', 'percent', 'other'];
    default:
      return null;
  }
}

/** The role a date plays, from the words just before and after it (null when none says). */
export function dateRoleOf(context: string): DateRole[] {
  return DATE_ROLE_WORDS.filter(([, re]) => re.test(context)).map(([role]) => role);
}

/**
 * Words that say what kind of value is asked ("how long", "what date", "how many", "what amount"), not what
 * it is about: a sentence need not repeat them to answer ("two (2) years warranty" answers "How long is the
 * warranty?"). Stems, as tokenize.ts makes them.
 */
const FORM_WORDS_BY_ATTRIBUTE: Record<string, string[]> = {
  any: ['long', 'last', 'number', 'exact', 'latest', 'earliest'],
  date: ['dat', 'tim', 'day', 'due', '~deadline'],
  duration: ['period', 'tim', 'length'],
  money: ['amount', 'cost', 'valu', 'dollar', 'pric', 'limit'],
  dollars: ['amount', 'cost', 'valu', 'dollar', 'pric', 'limit'],
  amount: ['amount', 'cost', 'valu', 'dollar', 'pric', 'limit'],
  percent: ['percent', 'rat'],
  weighting: ['weight', 'scor', 'point', 'percent'],
  count: ['count', 'quantity'],
};

/** Stems that only say what kind of value the question wants, given its attribute. */
export function formWordStems(attribute: Attribute): Set<string> {
  return new Set([
    ...(FORM_WORDS_BY_ATTRIBUTE.any ?? []),
    ...(attribute === null ? [] : (FORM_WORDS_BY_ATTRIBUTE[attribute] ?? [])),
  ]);
}
