//! The fixed data set the lab serves, and the credentials that map keys to users.
//!
//! Everything here is a constant, so every run of the lab, and every test
//! against it, sees the same objects with the same ids. Ids are disjoint
//! across kinds (users 1–2, accounts 11–13, tenants 21–22, invoices
//! 1xx/2xx, reports 3xx, notes 4xx, orders 5xx, documents 601–900,
//! announcements 951–990, catalog 1001+, statements 1101+, transactions
//! 1201+, card limits 1301+) so that a value found in a response names one
//! object only, which keeps the scanner's ownership map honest.
//!
//! The one mutable part is the [`Store`] of documents, profile themes and
//! announcements that the write routes change; each [`Lab`](crate::Lab) owns its own.
//!
//! Each object type derives `Serialize` and carries its own `id` field, which
//! is what every JSON object response includes.

use serde::Serialize;

/// The key alice presents.
pub(crate) const ALICE_KEY: &str = "lab-key-alice-7f3a9c2e41";

/// The key bob presents.
pub(crate) const BOB_KEY: &str = "lab-key-bob-0b8d5e61f2";

/// The key of user `id`, for the one route that leaks keys on purpose.
pub(crate) fn key_of(user_id: u64) -> Option<&'static str> {
    CREDENTIALS.iter().find(|(_, id)| *id == user_id).map(|(key, _)| *key)
}

/// Which user each valid key authenticates.
///
/// Keys live apart from [`User`] so that no serialised object can ever carry
/// one.
const CREDENTIALS: [(&str, u64); 2] = [(ALICE_KEY, 1), (BOB_KEY, 2)];

/// A user of the lab, and the caller a valid key stands for.
#[derive(Debug, Serialize)]
pub(crate) struct User {
    pub(crate) id: u64,
    /// Its natural key: the name it signs in with, and the key of
    /// `/people/{username}` and of a project's owner.
    pub(crate) username: &'static str,
    pub(crate) name: &'static str,
    pub(crate) email: &'static str,
    pub(crate) tenant: &'static str,
}

/// A bank account, owned by one user.
#[derive(Debug, Serialize)]
pub(crate) struct Account {
    pub(crate) id: u64,
    pub(crate) user_id: u64,
    pub(crate) iban: &'static str,
    pub(crate) balance: u64,
}

/// An invoice, owned by a tenant rather than by a user.
#[derive(Debug, Serialize)]
pub(crate) struct Invoice {
    pub(crate) id: u64,
    pub(crate) tenant: &'static str,
    pub(crate) amount: u64,
    pub(crate) customer: &'static str,
}

/// A report, owned by one user.
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    pub(crate) id: u64,
    pub(crate) user_id: u64,
    pub(crate) title: &'static str,
}

/// A private note, owned by one user.
#[derive(Debug, Serialize)]
pub(crate) struct Note {
    pub(crate) id: u64,
    pub(crate) user_id: u64,
    pub(crate) text: &'static str,
}

/// A user's profile. Its `id` is the user's id: there is one per user.
#[derive(Debug, Serialize)]
pub(crate) struct Profile {
    pub(crate) id: u64,
    pub(crate) user_id: u64,
    pub(crate) display_name: &'static str,
    pub(crate) theme: &'static str,
}

/// An order, owned by one user.
#[derive(Debug, Serialize)]
pub(crate) struct Order {
    pub(crate) id: u64,
    pub(crate) user_id: u64,
    pub(crate) item: &'static str,
    pub(crate) total: u64,
}

/// An item of the public catalog, the same for every caller.
#[derive(Debug, Serialize)]
pub(crate) struct CatalogItem {
    pub(crate) id: u64,
    pub(crate) name: &'static str,
    pub(crate) price: u64,
}

pub(crate) static USERS: [User; 2] = [
    User {
        id: 1,
        username: "alice",
        name: "Alice Anders",
        email: "alice@acme.example",
        tenant: "acme",
    },
    User {
        id: 2,
        username: "bob",
        name: "Bob Brook",
        email: "bob@globex.example",
        tenant: "globex",
    },
];

/// The accounts: alice's 11, bob's 12, and 13 of a customer (user 3) who
/// is none of the lab's identities. No listing shows 13 to anyone; a
/// scanner meets it only by counting up from bob's 12, and a route that
/// serves it proves that ids can be walked to strangers' data.
pub(crate) static ACCOUNTS: [Account; 3] = [
    Account { id: 11, user_id: 1, iban: "DE44 5001 0517 5407 3249 31", balance: 1250 },
    Account { id: 12, user_id: 2, iban: "FR14 2004 1010 0505 0001 3M02 606", balance: 310 },
    Account { id: 13, user_id: 3, iban: "NL91 ABNA 0417 1643 00", balance: 8800 },
];

/// A monthly statement of one account, read by `?account_id=`.
#[derive(Debug, Serialize)]
pub(crate) struct Statement {
    pub(crate) id: u64,
    pub(crate) account_id: u64,
    pub(crate) period: &'static str,
    pub(crate) closing_balance: u64,
}

pub(crate) static STATEMENTS: [Statement; 3] = [
    Statement { id: 1101, account_id: 11, period: "2026-11", closing_balance: 1250 },
    Statement { id: 1102, account_id: 12, period: "2026-11", closing_balance: 310 },
    Statement { id: 1103, account_id: 13, period: "2026-11", closing_balance: 8800 },
];

/// A payment on one account, read by an `X-Account-Id` header.
#[derive(Debug, Serialize)]
pub(crate) struct Transaction {
    pub(crate) id: u64,
    pub(crate) account_id: u64,
    pub(crate) counterparty: &'static str,
    pub(crate) amount: u64,
}

pub(crate) static TRANSACTIONS: [Transaction; 3] = [
    Transaction { id: 1201, account_id: 11, counterparty: "Initech payroll", amount: 4200 },
    Transaction { id: 1202, account_id: 12, counterparty: "Globex canteen", amount: 12 },
    Transaction { id: 1203, account_id: 13, counterparty: "Private clinic", amount: 640 },
];

/// The card limit of one account, read by an `account_id` cookie.
#[derive(Debug, Serialize)]
pub(crate) struct CardLimit {
    pub(crate) id: u64,
    pub(crate) account_id: u64,
    pub(crate) card: &'static str,
    pub(crate) daily_limit: u64,
}

pub(crate) static CARD_LIMITS: [CardLimit; 3] = [
    CardLimit { id: 1301, account_id: 11, card: "VISA ending 4417", daily_limit: 2000 },
    CardLimit { id: 1302, account_id: 12, card: "Mastercard ending 0932", daily_limit: 500 },
    CardLimit { id: 1303, account_id: 13, card: "Amex ending 7781", daily_limit: 9000 },
];

pub(crate) static INVOICES: [Invoice; 3] = [
    Invoice { id: 101, tenant: "acme", amount: 990, customer: "Initech" },
    Invoice { id: 102, tenant: "acme", amount: 45, customer: "Hooli" },
    Invoice { id: 201, tenant: "globex", amount: 7300, customer: "Vandelay" },
];

pub(crate) static REPORTS: [Report; 2] = [
    Report { id: 301, user_id: 1, title: "Q3 forecast acme" },
    Report { id: 302, user_id: 2, title: "Globex payroll" },
];

pub(crate) static NOTES: [Note; 2] = [
    Note { id: 401, user_id: 1, text: "alice private note" },
    Note { id: 402, user_id: 2, text: "bob private note" },
];

pub(crate) static PROFILES: [Profile; 2] = [
    Profile { id: 1, user_id: 1, display_name: "alice.a", theme: "dark" },
    Profile { id: 2, user_id: 2, display_name: "bob.b", theme: "light" },
];

pub(crate) static ORDERS: [Order; 2] = [
    Order { id: 501, user_id: 1, item: "Laptop", total: 1999 },
    Order { id: 502, user_id: 2, item: "Desk", total: 349 },
];

pub(crate) static CATALOG: [CatalogItem; 2] = [
    CatalogItem { id: 1001, name: "Widget", price: 5 },
    CatalogItem { id: 1002, name: "Gadget", price: 12 },
];

/// A tenant: a group of users that shares invoices.
#[derive(Debug, Serialize)]
pub(crate) struct Tenant {
    pub(crate) id: u64,
    pub(crate) name: &'static str,
}

pub(crate) static TENANTS: [Tenant; 2] =
    [Tenant { id: 21, name: "acme" }, Tenant { id: 22, name: "globex" }];

/// The tenant named `name`.
pub(crate) fn tenant_named(name: &str) -> Option<&'static Tenant> {
    TENANTS.iter().find(|tenant| tenant.name == name)
}

/// A document: the writable object of the lab, created by `POST /documents`
/// and owned by its creator.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Document {
    pub(crate) id: u64,
    pub(crate) user_id: u64,
    pub(crate) title: String,
    pub(crate) body: String,
}

/// The first id `POST /documents` hands out.
pub(crate) const FIRST_DOCUMENT_ID: u64 = 601;

/// How many documents one lab keeps; a create beyond it answers 507, so a
/// long-running `trespass lab` cannot grow without bound.
pub(crate) const MAX_DOCUMENTS: usize = 300;

/// What the write routes change: documents, each user's profile theme,
/// and the administrators' announcements.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) documents: Vec<Document>,
    pub(crate) next_document: u64,
    /// `(user_id, theme)`, one per user, starting from [`PROFILES`].
    pub(crate) themes: Vec<(u64, String)>,
    pub(crate) announcements: Announcements,
    /// Projects and boards, owned by a username or a nested owner id.
    pub(crate) owned: crate::owners::Owned,
}

impl Default for Store {
    fn default() -> Self {
        Store {
            documents: Vec::new(),
            next_document: FIRST_DOCUMENT_ID,
            themes: PROFILES.iter().map(|p| (p.user_id, p.theme.to_owned())).collect(),
            announcements: Announcements::default(),
            owned: Default::default(),
        }
    }
}

// Admin announcements: the privileged write of the lab.

/// An announcement: what an administrator posts for every user, created by
/// `POST /admin/announcements`. No lab user is an administrator.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Announcement {
    pub(crate) id: u64,
    pub(crate) title: String,
    pub(crate) text: String,
    /// The user who posted it.
    pub(crate) author_id: u64,
}

/// The first id `POST /admin/announcements` hands out: after the last
/// document id (600 + [`MAX_DOCUMENTS`]), before the catalog's 1001.
pub(crate) const FIRST_ANNOUNCEMENT_ID: u64 = 951;

/// How many announcements one lab keeps; a create beyond it answers 507,
/// and ids stay below the catalog's.
pub(crate) const MAX_ANNOUNCEMENTS: usize = 40;

/// The announcements posted so far, and the next id.
#[derive(Debug)]
pub(crate) struct Announcements {
    pub(crate) posted: Vec<Announcement>,
    pub(crate) next: u64,
}

impl Default for Announcements {
    fn default() -> Self {
        Announcements { posted: Vec::new(), next: FIRST_ANNOUNCEMENT_ID }
    }
}

impl Store {
    /// The current theme of `user_id`'s profile.
    pub(crate) fn theme(&self, user_id: u64) -> Option<&str> {
        self.themes.iter().find(|(id, _)| *id == user_id).map(|(_, theme)| theme.as_str())
    }
}

/// The user a presented key authenticates, if it is one of the real keys.
pub(crate) fn user_for_key(presented: &[u8]) -> Option<&'static User> {
    let (_, user_id) = CREDENTIALS.iter().find(|(key, _)| key.as_bytes() == presented)?;
    USERS.iter().find(|user| user.id == *user_id)
}

/// The user with this id.
pub(crate) fn user(id: u64) -> Option<&'static User> {
    USERS.iter().find(|user| user.id == id)
}
