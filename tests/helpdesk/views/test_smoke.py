def test_catalog_page_lists_enabled_services(demo, client):
    response = client.get("/chalco/")
    assert response.status_code == 200


def test_admin_can_sign_in(login_as):
    browser = login_as("tenant_admin")
    response = browser.get("/chalco/admin/")
    assert response.status_code == 200
    response = browser.get("/chalco/admin/services")
    assert response.status_code == 200
    response = browser.get("/chalco/admin/units")
    assert response.status_code == 200
    response = browser.get("/chalco/admin/departments")
    assert response.status_code == 200
    response = browser.get("/chalco/admin/users")
    assert response.status_code == 200
    response = browser.get("/chalco/admin/users/1")
    assert response.status_code == 200
    response = browser.get("/chalco/admin/units/new")
    assert response.status_code == 200
    response = browser.get("/chalco/admin/services/1")
    assert response.status_code == 200, response.get_data(as_text=True)
