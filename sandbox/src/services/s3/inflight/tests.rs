use super::*;

#[test]
fn holds_take_from_one_budget_and_give_back_when_the_last_clone_goes() {
    let budget = Arc::new(BodyBudget::with_limit(100));
    let first = Hold::new(budget.clone());
    let answer = first.clone();
    first.take(60).unwrap();
    let second = Hold::new(budget.clone());
    assert_eq!(second.take(41), Err(BodyError::OverBudget));
    second.take(40).unwrap();
    assert_eq!(budget.held(), 100);
    drop(first);
    assert_eq!(
        budget.held(),
        100,
        "the answer still holds the first body's bytes"
    );
    drop(answer);
    assert_eq!(budget.held(), 40);
    drop(second);
    assert_eq!(budget.held(), 0);
}
