//! Owners named by natural keys and in nested fields: people read by
//! username, projects owned by a `username` in their body, and boards owned
//! by a nested `{"owner": {"id": …}}`.
//!
//! | route | vulnerable lab | fixed lab |
//! | --- | --- | --- |
//! | `GET /people/{username}` | **anyone's** person record (phone, city): BOLA read by a natural key | the caller's only, else 404 |
//! | `GET /projects` | the caller's projects | same |
//! | `POST /projects` | `{"title", "username"?}`: owned by **whoever `username` names** (201, `Location`) | owned by the caller; another's `username` is 403 |
//! | `GET`, `DELETE /projects/{project_id}` | the owner's only, else 404 | same |
//! | `PUT /projects/{project_id}` | trap: the owner's only (404 otherwise); `username` accepted and ignored, the project stays the caller's | same |
//! | `GET /boards` | the caller's boards | same |
//! | `POST /boards` | `{"title", "owner"?: {"id"}}`: owned by **whoever `owner.id` names** | owned by the caller; another's `owner.id` is 403 |
//! | `GET`, `DELETE /boards/{board_id}` | the owner's only, else 404 | same |
//! | `PUT /boards/{board_id}` | the owner's only (404 otherwise), and **`owner.id` hands the board over** (200) | another's `owner.id` is 403 |
//!
//! Projects are numbered from 701 and boards from 801; a lab keeps at most
//! [`MAX_DOCUMENTS`] of each (then `POST` answers 507). Unknown users named
//! in a body are 400.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::Value;

use crate::Lab;
use crate::data::{self, MAX_DOCUMENTS, USERS, User};
use crate::routes::{ApiError, Caller, ObjectId};

/// A user's private contact record, read by username.
#[derive(Debug, Serialize)]
pub(crate) struct Person {
    pub(crate) id: u64,
    pub(crate) username: &'static str,
    pub(crate) phone: &'static str,
    pub(crate) city: &'static str,
}

pub(crate) static PEOPLE: [Person; 2] = [
    Person { id: 1, username: "alice", phone: "+49 30 5550 1234", city: "Berlin" },
    Person { id: 2, username: "bob", phone: "+33 1 5550 9876", city: "Lyon" },
];

/// A project, owned by the user its `username` names.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Project {
    pub(crate) id: u64,
    pub(crate) username: String,
    pub(crate) title: String,
}

/// The owner of a board, nested: `{"owner": {"id": 1}}`.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct BoardOwner {
    pub(crate) id: u64,
}

/// A board, owned by the user its nested `owner.id` names.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Board {
    pub(crate) id: u64,
    pub(crate) title: String,
    pub(crate) owner: BoardOwner,
}

/// The projects and boards a lab holds.
#[derive(Debug)]
pub(crate) struct Owned {
    pub(crate) projects: Vec<Project>,
    pub(crate) next_project: u64,
    pub(crate) boards: Vec<Board>,
    pub(crate) next_board: u64,
}

impl Default for Owned {
    fn default() -> Self {
        Owned { projects: Vec::new(), next_project: 701, boards: Vec::new(), next_board: 801 }
    }
}

/// The routes of this module, merged into the lab's router.
pub(crate) fn routes() -> Router<Lab> {
    Router::new()
        .route("/people/{username}", get(get_person))
        .route("/projects", get(list_projects).post(create_project))
        .route("/projects/{project_id}", get(get_project).put(put_project).delete(delete_project))
        .route("/boards", get(list_boards).post(create_board))
        .route("/boards/{board_id}", get(get_board).put(put_board).delete(delete_board))
}

/// Vulnerable: any caller reads anyone's person record by username. Fixed:
/// only one's own; another's is not found.
async fn get_person(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    Path(username): Path<String>,
) -> Result<Json<&'static Person>, ApiError> {
    let person = PEOPLE.iter().find(|p| p.username == username).ok_or(ApiError::NotFound)?;
    if lab.is_fixed() && person.id != caller.id {
        return Err(ApiError::NotFound);
    }
    Ok(Json(person))
}

/// The owner a write names, checked as the mode says: vulnerable, any
/// existing user; fixed, the caller only (403 for another). A name or id
/// of nobody is 400.
fn named_owner(lab: &Lab, caller: &User, named: Option<&'static User>) -> Result<u64, ApiError> {
    match named {
        Some(user) if user.id != caller.id && lab.is_fixed() => Err(ApiError::Forbidden),
        Some(user) => Ok(user.id),
        None => Ok(caller.id),
    }
}

/// The JSON object of a write, with its required string `title`.
fn titled(body: Result<Json<Value>, JsonRejection>) -> Result<(Value, String), ApiError> {
    let Json(body) = body.map_err(|_| ApiError::BadRequest)?;
    let title = body.get("title").and_then(Value::as_str).ok_or(ApiError::BadRequest)?;
    let title = title.to_owned();
    Ok((body, title))
}

/// A project body's `stage`, one of the values its schema lists: a
/// scanner that fills enum fields with made-up text gets 400 and creates
/// nothing.
fn staged(body: &Value) -> Result<(), ApiError> {
    match body.get("stage").and_then(Value::as_str) {
        Some("draft" | "active" | "archived") => Ok(()),
        _ => Err(ApiError::BadRequest),
    }
}

/// The user a project body's optional `username` names: `None` when
/// absent, 400 when it names nobody.
fn user_named(body: &Value) -> Result<Option<&'static User>, ApiError> {
    match body.get("username") {
        None => Ok(None),
        Some(name) => {
            let name = name.as_str().ok_or(ApiError::BadRequest)?;
            USERS.iter().find(|u| u.username == name).map(Some).ok_or(ApiError::BadRequest)
        }
    }
}

/// The user a board body's optional `owner.id` names, as [`user_named`].
fn owner_named(body: &Value) -> Result<Option<&'static User>, ApiError> {
    match body.get("owner") {
        None => Ok(None),
        Some(owner) => {
            let id = owner.get("id").and_then(Value::as_u64).ok_or(ApiError::BadRequest)?;
            data::user(id).map(Some).ok_or(ApiError::BadRequest)
        }
    }
}

fn username_of(id: u64) -> String {
    data::user(id).map_or_else(String::new, |u| u.username.to_owned())
}

fn created(location: String, object: impl Serialize) -> Response {
    (StatusCode::CREATED, [(LOCATION, location)], Json(object)).into_response()
}

async fn list_projects(State(lab): State<Lab>, Caller(caller): Caller) -> Json<Vec<Project>> {
    let store = lab.store();
    let mine = store.owned.projects.iter().filter(|p| p.username == caller.username);
    Json(mine.cloned().collect())
}

/// Vulnerable: the project is owned by whoever `username` names. Fixed:
/// another's `username` is 403.
async fn create_project(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let (body, title) = titled(body)?;
    staged(&body)?;
    let owner = named_owner(&lab, caller, user_named(&body)?)?;
    let mut store = lab.store();
    let owned = &mut store.owned;
    if owned.projects.len() >= MAX_DOCUMENTS {
        return Err(ApiError::Full);
    }
    let project = Project { id: owned.next_project, username: username_of(owner), title };
    owned.next_project += 1;
    owned.projects.push(project.clone());
    Ok(created(format!("/projects/{}", project.id), project))
}

async fn get_project(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    ObjectId(id): ObjectId,
) -> Result<Json<Project>, ApiError> {
    let store = lab.store();
    let found = store.owned.projects.iter().find(|p| p.id == id && p.username == caller.username);
    found.cloned().map(Json).ok_or(ApiError::NotFound)
}

/// A trap, the same in both modes: the owner's project only, whose title
/// is replaced; a `username` in the body is accepted and ignored, so the
/// project stays the caller's whoever it names.
async fn put_project(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    ObjectId(id): ObjectId,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Project>, ApiError> {
    let (body, title) = titled(body)?;
    user_named(&body)?;
    let mut store = lab.store();
    let mut projects = store.owned.projects.iter_mut();
    let project =
        projects.find(|p| p.id == id && p.username == caller.username).ok_or(ApiError::NotFound)?;
    project.title = title;
    Ok(Json(project.clone()))
}

async fn delete_project(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    ObjectId(id): ObjectId,
) -> Result<StatusCode, ApiError> {
    let mut store = lab.store();
    let projects = &mut store.owned.projects;
    let position = projects.iter().position(|p| p.id == id && p.username == caller.username);
    projects.remove(position.ok_or(ApiError::NotFound)?);
    Ok(StatusCode::NO_CONTENT)
}

async fn list_boards(State(lab): State<Lab>, Caller(caller): Caller) -> Json<Vec<Board>> {
    let store = lab.store();
    Json(store.owned.boards.iter().filter(|b| b.owner.id == caller.id).cloned().collect())
}

/// Vulnerable: the board is owned by whoever the nested `owner.id` names.
/// Fixed: another's `owner.id` is 403.
async fn create_board(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let (body, title) = titled(body)?;
    let owner = named_owner(&lab, caller, owner_named(&body)?)?;
    let mut store = lab.store();
    let owned = &mut store.owned;
    if owned.boards.len() >= MAX_DOCUMENTS {
        return Err(ApiError::Full);
    }
    let board = Board { id: owned.next_board, title, owner: BoardOwner { id: owner } };
    owned.next_board += 1;
    owned.boards.push(board.clone());
    Ok(created(format!("/boards/{}", board.id), board))
}

async fn get_board(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    ObjectId(id): ObjectId,
) -> Result<Json<Board>, ApiError> {
    let store = lab.store();
    let found = store.owned.boards.iter().find(|b| b.id == id && b.owner.id == caller.id);
    found.cloned().map(Json).ok_or(ApiError::NotFound)
}

/// The owner's board only (404 otherwise). Vulnerable: the nested
/// `owner.id` hands the board to whoever it names. Fixed: another's
/// `owner.id` is 403 and the board stays as it was.
async fn put_board(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    ObjectId(id): ObjectId,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Board>, ApiError> {
    let (body, title) = titled(body)?;
    let owner = named_owner(&lab, caller, owner_named(&body)?)?;
    let mut store = lab.store();
    let mut boards = store.owned.boards.iter_mut();
    let board = boards.find(|b| b.id == id && b.owner.id == caller.id).ok_or(ApiError::NotFound)?;
    board.title = title;
    board.owner.id = owner;
    Ok(Json(board.clone()))
}

async fn delete_board(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    ObjectId(id): ObjectId,
) -> Result<StatusCode, ApiError> {
    let mut store = lab.store();
    let boards = &mut store.owned.boards;
    let position = boards.iter().position(|b| b.id == id && b.owner.id == caller.id);
    boards.remove(position.ok_or(ApiError::NotFound)?);
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    #[test]
    fn people_are_the_users_by_username() {
        for (person, user) in super::PEOPLE.iter().zip(&super::USERS) {
            assert_eq!((person.id, person.username), (user.id, user.username));
        }
    }
}
