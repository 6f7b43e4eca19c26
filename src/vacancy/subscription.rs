//! Subscriptions to vacancies: new matching ones as they are published, and changes of one.
//!
//! Publications are numbered (`Vacancy.publicationId`; see `store::number_publication`), without
//! gaps and in commit order, so a `vacancyPublished` subscriber knows the last number it has seen
//! and can tell when it missed one: the next event skips a number, its instance's listener
//! reconnected, or it fell more than the bus buffers behind. It then reads what it missed from
//! the database, in order, and goes on live, skipping the events its reading already covered.
//! The same catch-up serves `after:`, so a client that reconnects (to any instance) misses
//! nothing and receives nothing twice.

use std::collections::VecDeque;

use async_graphql::{Context, ID, Result, Subscription};
use dbkit::batch::Item;
use entity::vacancy;
use futures_util::{Stream, stream};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter};
use tokio::sync::broadcast::{Receiver, error::RecvError};
use toolkit::{db, id::decode_id};

use super::{Vacancy, VacancyFilter, store};
use crate::{
    auth::{policy::Drafts, viewer},
    error::ApiError,
    events::{Change, Events, Signal, VacancyEvent},
    ids::{LogKind, NodeKind},
};

/// Vacancies a catch-up reads at a time.
const CATCH_UP_PAGE: u64 = 100;

/// The vacancy part of the subscription root.
#[derive(Default)]
pub struct VacancySubscription;

fn events<'a>(ctx: &Context<'a>) -> Result<&'a Events, ApiError> {
    ctx.data::<Events>()
        .map_err(|_| ApiError::internal("the schema was built without an event bus"))
}

/// The next event of `receiver` that `wanted` accepts; an error when the subscriber fell behind
/// (then the subscription ends), None when the bus is gone.
async fn next_event(
    receiver: &mut Receiver<Signal>,
    wanted: impl Fn(&VacancyEvent) -> bool,
) -> Option<Result<VacancyEvent, ApiError>> {
    loop {
        match receiver.recv().await {
            Ok(Signal::Event(event)) if wanted(&event) => return Some(Ok(event)),
            Ok(_) => {}
            Err(RecvError::Lagged(missed)) => {
                return Some(Err(ApiError::SubscriptionOverflow(missed)));
            }
            Err(RecvError::Closed) => return None,
        }
    }
}

/// Vacancy `id` if it meets `condition` and the caller may see it.
async fn load(
    db: &DatabaseConnection,
    id: i64,
    condition: Condition,
) -> Result<Option<Vacancy>, ApiError> {
    Ok(vacancy::Entity::find()
        .filter(vacancy::Column::Id.eq(id))
        .filter(condition)
        .one(db)
        .await?
        .map(|row| Vacancy(Item::one(row))))
}

/// What the stream of a `vacancyUpdated` subscription keeps between events.
struct State {
    receiver: Receiver<Signal>,
    db: DatabaseConnection,
    condition: Condition,
    done: bool,
}

/// The vacancies of the events `wanted` accepts, loaded with the subscriber's `condition`; ends
/// on the deletion of a wanted vacancy, and after reporting an overflow.
fn deliveries(
    state: State,
    wanted: impl Fn(&VacancyEvent) -> bool + Copy + Send + Sync + 'static,
) -> impl Stream<Item = Result<Vacancy>> {
    stream::unfold(state, move |mut state| async move {
        loop {
            if state.done {
                return None;
            }
            let found = match next_event(&mut state.receiver, wanted).await? {
                Ok(event) if event.change == Change::Deleted => return None,
                Ok(event) => load(&state.db, event.id, state.condition.clone()).await,
                Err(overflow) => {
                    state.done = true;
                    Err(overflow)
                }
            };
            match found {
                Ok(Some(vacancy)) => return Some((Ok(vacancy), state)),
                Ok(None) => {}
                Err(err) => return Some((Err(err.into()), state)),
            }
        }
    })
}

/// What the stream of a `vacancyPublished` subscription keeps between deliveries.
struct Publications {
    receiver: Receiver<Signal>,
    db: DatabaseConnection,
    /// The subscriber's filter and permissions, with "OPEN".
    condition: Condition,
    /// Every publication up to this number has been delivered, or did not match.
    seen: i64,
    /// Whether publications after `seen` may have been missed: read them from the database
    /// before listening again.
    behind: bool,
    /// Vacancies a catch-up read, not yet delivered.
    ready: VecDeque<vacancy::Model>,
    /// Set after an error: the subscription ends.
    done: bool,
}

impl Publications {
    /// The next vacancy to deliver; None when the bus is gone.
    async fn next(&mut self) -> Option<Result<Vacancy, ApiError>> {
        loop {
            if let Some(row) = self.ready.pop_front() {
                return Some(Ok(Vacancy(Item::one(row))));
            }
            if self.behind {
                if let Err(err) = self.catch_up().await {
                    return Some(Err(err));
                }
                continue;
            }
            match self.receiver.recv().await {
                Ok(Signal::Event(VacancyEvent {
                    id,
                    change: Change::Published,
                    publication,
                })) => match publication {
                    Some(number) if number <= self.seen => {}
                    Some(number) if number == self.seen + 1 => {
                        self.seen = number;
                        match load(&self.db, id, self.condition.clone()).await {
                            Ok(Some(vacancy)) => return Some(Ok(vacancy)),
                            Ok(None) => {}
                            Err(err) => return Some(Err(err)),
                        }
                    }
                    // A number skipped (its event is late, or was lost), or none given.
                    _ => self.behind = true,
                },
                Ok(Signal::Event(_)) => {}
                Ok(Signal::Missed) | Err(RecvError::Lagged(_)) => self.behind = true,
                Err(RecvError::Closed) => return None,
            }
        }
    }

    /// Reads a page of the matching publications after `seen` from the database; once a page
    /// comes back short, `seen` moves to the last publication committed before it was read, and
    /// the subscriber listens again.
    async fn catch_up(&mut self) -> Result<(), ApiError> {
        let through = store::last_publication(&self.db).await?;
        let page = store::published_between(
            &self.db,
            self.condition.clone(),
            self.seen,
            through,
            CATCH_UP_PAGE,
        )
        .await?;
        match page.last().and_then(|row| row.publication_seq) {
            Some(last) if page.len() as u64 == CATCH_UP_PAGE => self.seen = last,
            _ => {
                self.seen = through;
                self.behind = false;
            }
        }
        self.ready.extend(page);
        Ok(())
    }
}

/// The publications `state` delivers; an error ends the subscription.
fn publications(state: Publications) -> impl Stream<Item = Result<Vacancy>> {
    stream::unfold(state, |mut state| async move {
        if state.done {
            return None;
        }
        match state.next().await? {
            Ok(vacancy) => Some((Ok(vacancy), state)),
            Err(err) => {
                state.done = true;
                Some((Err(err.into()), state))
            }
        }
    })
}

#[Subscription]
impl VacancySubscription {
    /// Vacancies as they are published (become OPEN) and match `filter`: the same filter as the
    /// `vacancies` query. Each publication is delivered once, in publication order, with its
    /// `publicationId`. With `after`, the publications since that one come first (read from the
    /// database), then the live ones, with no gap and no duplicate between them: pass the last
    /// `publicationId` received to resume after a reconnect, on any instance. A subscriber that
    /// falls behind, or whose instance lost its database notifications for a while, catches up
    /// the same way.
    async fn vacancy_published(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only vacancies that meet every condition given.")] filter: Option<
            VacancyFilter,
        >,
        #[graphql(
            desc = "Deliver the publications after this `Vacancy.publicationId` first; without it, only those after the subscription starts."
        )]
        after: Option<ID>,
    ) -> Result<impl Stream<Item = Result<Vacancy>> + use<>> {
        let after = after
            .map(|after| decode_id(&after, LogKind::VacancyPublication, &["after"]))
            .transpose()?;
        let db = db(ctx)?.clone();
        let mut criteria = filter.unwrap_or_default().criteria(&db).await?;
        criteria.status = vec![entity::VacancyStatus::Open];
        let condition = criteria
            .condition()
            .add_option(Drafts::of(viewer(ctx)).condition());
        // Listening first: what is published from here on is heard, or read by a catch-up.
        let receiver = events(ctx)?.subscribe();
        let last = store::last_publication(&db).await.map_err(ApiError::from)?;
        let seen = match after {
            Some(after) if after > last => {
                return Err(ApiError::bad_input(
                    ["after"],
                    "no publication has that ID yet: pass a `Vacancy.publicationId` this server gave",
                )
                .into());
            }
            Some(after) => after,
            None => last,
        };
        Ok(publications(Publications {
            receiver,
            db,
            condition,
            seen,
            behind: after.is_some_and(|after| after < last),
            ready: VecDeque::new(),
            done: false,
        }))
    }

    /// Every change of one vacancy (edits, skills, publication, closing), as it is after the
    /// change; the subscription ends when the vacancy is deleted. A vacancy the caller may not see
    /// is `NOT_FOUND`. A subscriber that falls more than 256 events behind gets a
    /// `SUBSCRIPTION_OVERFLOW` error and the subscription ends.
    async fn vacancy_updated(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The vacancy's global ID.")] id: ID,
    ) -> Result<impl Stream<Item = Result<Vacancy>> + use<>> {
        let key = decode_id(&id, NodeKind::Vacancy, &["id"])?;
        let db = db(ctx)?.clone();
        let condition = Condition::all().add_option(Drafts::of(viewer(ctx)).condition());
        let receiver = events(ctx)?.subscribe();
        if load(&db, key, condition.clone()).await?.is_none() {
            return Err(ApiError::NotFound("vacancy").into());
        }
        let state = State {
            receiver,
            db,
            condition,
            done: false,
        };
        Ok(deliveries(state, move |event| event.id == key))
    }
}

#[cfg(test)]
mod tests {
    use tokio::sync::broadcast;

    use super::*;

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_is_told_how_many_events_it_missed() {
        let (sender, mut receiver) = broadcast::channel(2);
        for id in 1..=5 {
            sender
                .send(Signal::Event(VacancyEvent {
                    id,
                    change: Change::Published,
                    publication: None,
                }))
                .ok();
        }
        let first = next_event(&mut receiver, |_| true).await;
        assert!(
            matches!(first, Some(Err(ApiError::SubscriptionOverflow(3)))),
            "{first:?}"
        );
    }
}
