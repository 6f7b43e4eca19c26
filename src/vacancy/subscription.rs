//! Subscriptions to vacancies: new matching ones as they are published, and changes of one.

use async_graphql::{Context, ID, Result, Subscription};
use dbkit::batch::Item;
use entity::vacancy;
use futures_util::{Stream, stream};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter};
use tokio::sync::broadcast::{Receiver, error::RecvError};
use toolkit::{db, id::decode_id};

use super::{Vacancy, VacancyFilter};
use crate::{
    auth::{policy::Drafts, viewer},
    error::ApiError,
    events::{Change, Events, VacancyEvent},
    ids::NodeKind,
};

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
    receiver: &mut Receiver<VacancyEvent>,
    wanted: impl Fn(&VacancyEvent) -> bool,
) -> Option<Result<VacancyEvent, ApiError>> {
    loop {
        match receiver.recv().await {
            Ok(event) if wanted(&event) => return Some(Ok(event)),
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

/// What the stream of a subscription keeps between events.
struct State {
    receiver: Receiver<VacancyEvent>,
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

#[Subscription]
impl VacancySubscription {
    /// Vacancies as they are published (become OPEN) and match `filter`: the same filter as the
    /// `vacancies` query. Delivered at most once, in publication order; a subscriber that falls
    /// more than 256 events behind gets a `SUBSCRIPTION_OVERFLOW` error and the subscription ends.
    async fn vacancy_published(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only vacancies that meet every condition given.")] filter: Option<
            VacancyFilter,
        >,
    ) -> Result<impl Stream<Item = Result<Vacancy>> + use<>> {
        let db = db(ctx)?.clone();
        let mut criteria = filter.unwrap_or_default().criteria(&db).await?;
        criteria.status = vec![entity::VacancyStatus::Open];
        let condition = criteria
            .condition()
            .add_option(Drafts::of(viewer(ctx)).condition());
        let state = State {
            receiver: events(ctx)?.subscribe(),
            db,
            condition,
            done: false,
        };
        Ok(deliveries(state, |event| event.change == Change::Published))
    }

    /// Every change of one vacancy (edits, skills, publication, closing), as it is after the
    /// change; the subscription ends when the vacancy is deleted. A vacancy the caller may not see
    /// is `NOT_FOUND`.
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
                .send(VacancyEvent {
                    id,
                    change: Change::Published,
                })
                .ok();
        }
        let first = next_event(&mut receiver, |_| true).await;
        assert!(
            matches!(first, Some(Err(ApiError::SubscriptionOverflow(3)))),
            "{first:?}"
        );
    }
}
